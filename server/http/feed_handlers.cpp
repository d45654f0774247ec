// A story for other programs (docs/protocol.md "Feeds", "Embeds and
// oEmbed"): its Atom and JSON feeds, its embed page for iframes, and the
// oEmbed endpoint for CMSes that embed by URL. Feeds are cached like pages:
// rendered once per story change (and public origin).

#include "common/config.hpp"
#include "core/validation.hpp"
#include "http/feed_renderer.hpp"
#include "http/handlers.hpp"
#include "http/static_assets.hpp"
#include "http/url.hpp"

namespace liveblog::handlers {

namespace http = boost::beast::http;

namespace {

// The newest entries a feed carries.
constexpr std::size_t feed_entries = 50;

// The origin absolute URLs start with: public_url when set, else the
// request's own (Host, and https with TLS or behind a proxy that says so).
// A Host that is not a plain authority falls back to localhost, so a forged
// header cannot write markup or paths into a feed.
std::string public_origin(const HttpContext& ctx, const Request& req) {
    std::string configured = ctx.config.public_url;
    while (!configured.empty() && configured.back() == '/') configured.pop_back();
    if (!configured.empty()) return configured;
    const std::string scheme = ctx.reached_over_https(req) ? "https://" : "http://";
    const std::string host = req.header(http::field::host);
    if (host.empty() || host.find_first_of("/?#@\\\\") != std::string::npos || !is_http_url(scheme + host))
        return scheme + "localhost";
    return scheme + host;
}

enum class FeedFormat { atom, json };

void story_feed(HttpContext& ctx, const RequestPtr& req, FeedFormat format) {
    const std::string& id = req->param("story");
    auto story = is_valid_slug(id) ? ctx.hub.story(id) : std::nullopt;
    if (!story) return req->respond(error_response(ErrorCode::unknown_story, "no story '" + id + "'"));
    const std::string base = public_origin(ctx, *req);
    const std::string variant = format == FeedFormat::atom ? "atom" : "jsonfeed";
    const std::string key = variant + ":" + id + ":" + base;
    const char* type =
        format == FeedFormat::atom ? "application/atom+xml; charset=utf-8" : "application/feed+json; charset=utf-8";
    ctx.cached_read(req, key, *story, [&ctx, id, base, format, variant, type] {
        auto s = ctx.hub.store().story(id);
        if (!s) throw Error{ErrorCode::unknown_story, "no story '" + id + "'"};
        auto page = ctx.hub.store().entries(id, 0, std::min(feed_entries, ctx.config.max_page_entries));
        auto body = format == FeedFormat::atom ? render_atom_feed(*s, page.entries, base)
                                               : render_json_feed(*s, page.entries, base);
        return ResponseCache::Rendered{encode_response(200, std::move(body), type, HttpContext::story_etag(*s, variant),
                                                       ctx.cache_control(), ctx.config.compression, per_change_levels),
                                       s->epoch, s->seq, true};
    });
}

// A whole number of pixels from ?name=, within [1, max]; `fallback` when absent.
unsigned dimension(const Request& req, const char* name, unsigned fallback, unsigned max) {
    auto v = req.uint_query(name);
    if (!v) return fallback;
    if (*v == 0) throw Error{ErrorCode::bad_request, std::string(name) + ": must be at least 1"};
    return static_cast<unsigned>(std::min<std::uint64_t>(*v, max));
}

}  // namespace

void story_feed_atom(HttpContext& ctx, const RequestPtr& req) { story_feed(ctx, req, FeedFormat::atom); }
void story_feed_json(HttpContext& ctx, const RequestPtr& req) { story_feed(ctx, req, FeedFormat::json); }

void embed_page(HttpContext& ctx, const RequestPtr& req) {
    const std::string& id = req->param("story");
    auto story = is_valid_slug(id) ? ctx.hub.story(id) : std::nullopt;
    if (!story) return req->respond(error_response(ErrorCode::unknown_story, "no story '" + id + "'"));
    EmbedOptions options;
    options.limit = static_cast<unsigned>(std::min<std::uint64_t>(req->uint_query("limit").value_or(0),
                                                                   ctx.config.max_page_entries));
    const auto key_events_only = req->query("key_events_only").value_or("");
    options.key_events_only = key_events_only == "true" || key_events_only == "1";
    options.oldest_first = req->query("order").value_or("") == "oldest";
    auto res = html_response(200, render_embed_page(*story, options, ctx.assets.import_map(), ctx.assets.url("js/embed.js"),
                                                    ctx.assets.url("js/embed-frame.js")));
    // The page is the element and two script tags: its content is live, so it may be cached briefly.
    res.set(http::field::cache_control, ctx.cache_control());
    req->respond(std::move(res));
}

void oembed(HttpContext& ctx, const RequestPtr& req) {
    const auto format = req->query("format").value_or("json");
    if (format != "json") {
        auto res = error_response(ErrorCode::bad_request, "format: only json is served");
        res.result(http::status::not_implemented);  // what the oEmbed spec asks for
        return req->respond(std::move(res));
    }
    const auto url = req->query("url");
    if (!url || url->empty()) throw Error{ErrorCode::bad_request, "url: required (a story's address)"};
    // https://live.example/stories/{id}[...], or the path alone (pages' discovery link).
    std::string_view path = *url;
    if (is_http_url(path)) {
        path.remove_prefix(path.find("://") + 3);
        const auto slash = path.find('/');
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    path = path.substr(0, path.find_first_of("?#"));
    const auto segments = split_path(path);
    if (segments.size() != 2 || segments[0] != "stories" || !is_valid_slug(segments[1]))
        throw Error{ErrorCode::not_found, "url: not a story's address (…/stories/{id})"};
    auto story = ctx.hub.story(segments[1]);
    if (!story) throw Error{ErrorCode::not_found, "no story '" + segments[1] + "'"};
    const unsigned width = dimension(*req, "maxwidth", 640, 4000);
    const unsigned height = dimension(*req, "maxheight", 800, 4000);
    auto res = text_response(200, render_oembed(*story, public_origin(ctx, *req), width, height),
                             "application/json; charset=utf-8");
    res.set(http::field::cache_control, "public, max-age=3600");
    res.set(http::field::access_control_allow_origin, "*");
    req->respond(std::move(res));
}

}  // namespace liveblog::handlers
