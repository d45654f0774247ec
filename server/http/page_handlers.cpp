// Server-rendered pages (the story list, a story) and static files (the
// console, the reader page's scripts and styles).
//
// A story page is rendered once per story change and variant (live page,
// older pages) and kept, with its compressed forms, in the read cache;
// static files come from memory (http/static_assets), precompressed.

#include <fstream>

#include "common/config.hpp"
#include "core/validation.hpp"
#include "http/handlers.hpp"
#include "http/page_renderer.hpp"
#include "http/static_assets.hpp"
#include "http/static_files.hpp"
#include "http/url.hpp"

namespace liveblog::handlers {

namespace http = boost::beast::http;

namespace {

HttpResponse not_found_page() {
    return html_response(404, "<!doctype html><title>Not found</title><h1>Not found</h1>");
}

// A file too large to be held in memory: read per request, on a store reader
// thread (a disk read must not block an I/O thread).
void send_file_from_disk(HttpContext& ctx, const RequestPtr& req, std::string relative) {
    std::string root = ctx.assets.root().string();
    ctx.read_then(req->respond, [root, relative = std::move(relative), respond = req->respond] {
        auto path = resolve_static_path(root, relative);
        std::string body;
        if (path) {
            std::ifstream in(*path, std::ios::binary);
            if (in) body.assign(std::istreambuf_iterator<char>(in), {});
            else path.reset();
        }
        if (!path) return respond(error_response(ErrorCode::not_found, "no such file"));
        auto res = text_response(200, std::move(body), content_type_for(*path));
        res.set(http::field::cache_control, "public, max-age=60");
        res.set("X-Content-Type-Options", "nosniff");
        res.set(http::field::access_control_allow_origin, "*");
        respond(std::move(res));
    });
}

// A held file: immutable when asked for by its current versioned URL.
void send_asset(const RequestPtr& req, const StaticAssets::Asset& asset) {
    const bool current = req->query("v") == asset.hash;
    auto res = answer_encoded(req->http, current ? *asset.immutable : *asset.revalidated);
    res.set("X-Content-Type-Options", "nosniff");
    // Public files, fetched without credentials: the embed (embed.js and the
    // modules it imports) loads them from other sites' pages.
    res.set(http::field::access_control_allow_origin, "*");
    req->respond(std::move(res));
}

PageAssets page_assets(const StaticAssets& assets) {
    return {assets.url("js/reader-page.js"), assets.url("css/reader.css"), assets.import_map()};
}

}  // namespace

void story_list_page(HttpContext& ctx, const RequestPtr& req) {
    auto stories = ctx.hub.stories();
    std::string tag;
    for (auto& s : stories) tag += s.id + ":" + s.epoch + ":" + std::to_string(s.seq) + ";";
    auto res = html_response(200, render_story_list(stories));
    apply_cache_headers(req->http, res, "\"" + std::to_string(std::hash<std::string>{}(tag)) + "\"",
                        ctx.config.cache_max_age_s);
    req->respond(std::move(res));
}

void story_page(HttpContext& ctx, const RequestPtr& req) {
    const std::string& id = req->param("story");
    auto story = is_valid_slug(id) ? ctx.hub.story(id) : std::nullopt;
    if (!story) return req->respond(not_found_page());
    Seq before = req->uint_query("before").value_or(0);
    const std::string variant = "page-" + std::to_string(before);
    if (etag_matches(req->http, HttpContext::story_etag(*story, variant))) {
        HttpResponse res = html_response(200, {});
        apply_cache_headers(req->http, res, HttpContext::story_etag(*story, variant), ctx.config.cache_max_age_s);
        return req->respond(std::move(res));
    }
    std::size_t limit = ctx.config.snapshot_entries;
    ctx.cached_read(req, "page:" + id + ":" + std::to_string(before), *story, [&ctx, id, before, limit, variant] {
        std::optional<StorySnapshot> snap;
        if (before == 0) {
            snap = ctx.hub.store().snapshot(id, limit, 10);
        } else if (auto s = ctx.hub.store().story(id)) {
            snap = StorySnapshot{*s, ctx.hub.store().entries(id, before, limit), {}};
        }
        if (!snap) {
            auto res = not_found_page();
            return ResponseCache::Rendered{
                encode_response(404, res.body(), "text/html; charset=utf-8", {}, "no-store", false, {}), {}, 0, false};
        }
        // The ETag is the state rendered, which may be newer than the request's.
        auto body = render_story_page(*snap, before, "", page_assets(ctx.assets));
        return ResponseCache::Rendered{
            encode_response(200, std::move(body), "text/html; charset=utf-8",
                            HttpContext::story_etag(snap->story, variant), ctx.cache_control(), ctx.config.compression,
                            per_change_levels),
            snap->story.epoch, snap->story.seq, true};
    });
}

void console_page(HttpContext& ctx, const RequestPtr& req) {
    if (auto* asset = ctx.assets.find("editor.html")) return send_asset(req, *asset);
    send_file_from_disk(ctx, req, "editor.html");
}

void static_file(HttpContext& ctx, const RequestPtr& req) {
    // The raw remainder: decoded once here for the lookup in memory, and by
    // resolve_static_path (which refuses what is unsafe) for a file on disk.
    std::string_view raw = req->target();
    raw = raw.substr(0, raw.find('?'));
    constexpr std::string_view prefix = "/static/";
    if (raw.substr(0, prefix.size()) != prefix) return req->respond(error_response(ErrorCode::not_found, "no such file"));
    raw.remove_prefix(prefix.size());
    // Only safe paths are held, so a lookup of anything else misses.
    if (auto decoded = percent_decode(raw))
        if (auto* asset = ctx.assets.find(*decoded)) return send_asset(req, *asset);
    send_file_from_disk(ctx, req, std::string(raw));
}

// No icon, and no 404 noise in the logs for it.
void favicon(HttpContext&, const RequestPtr& req) { req->respond(text_response(204, {}, "image/x-icon")); }

void websocket_only(HttpContext&, const RequestPtr& req) {
    req->respond(error_response(ErrorCode::bad_request, "this endpoint takes a WebSocket upgrade"));
}

}  // namespace liveblog::handlers
