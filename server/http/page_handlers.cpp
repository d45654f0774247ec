// Server-rendered pages (the story list, a story) and static files (the
// console, the reader page's scripts and styles).

#include <fstream>

#include "common/config.hpp"
#include "core/validation.hpp"
#include "http/handlers.hpp"
#include "http/page_renderer.hpp"
#include "http/static_files.hpp"

namespace liveblog::handlers {

namespace http = boost::beast::http;

namespace {

HttpResponse not_found_page() {
    return html_response(404, "<!doctype html><title>Not found</title><h1>Not found</h1>");
}

void send_file(HttpContext& ctx, const RequestPtr& req, std::string relative) {
    std::string root = ctx.config.static_dir;
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
        respond(std::move(res));
    });
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
    std::string etag = HttpContext::story_etag(*story, "page-" + std::to_string(before));
    if (etag_matches(req->http, etag)) {
        HttpResponse res = html_response(200, {});
        apply_cache_headers(req->http, res, etag, ctx.config.cache_max_age_s);
        return req->respond(std::move(res));
    }
    std::size_t limit = ctx.config.snapshot_entries;
    ctx.read_then(req->respond, [&ctx, id, before, limit, etag, respond = req->respond] {
        std::optional<StorySnapshot> snap;
        if (before == 0) {
            snap = ctx.hub.store().snapshot(id, limit, 10);
        } else if (auto s = ctx.hub.store().story(id)) {
            snap = StorySnapshot{*s, ctx.hub.store().entries(id, before, limit), {}};
        }
        if (!snap) return respond(not_found_page());
        auto res = html_response(200, render_story_page(*snap, before));
        res.set(http::field::etag, etag);
        res.set(http::field::cache_control, ctx.cache_control());
        respond(std::move(res));
    });
}

void console_page(HttpContext& ctx, const RequestPtr& req) { send_file(ctx, req, "editor.html"); }

void static_file(HttpContext& ctx, const RequestPtr& req) {
    // The raw remainder: resolve_static_path decodes it once and rejects what is unsafe.
    std::string_view raw = req->target();
    raw = raw.substr(0, raw.find('?'));
    constexpr std::string_view prefix = "/static/";
    if (raw.substr(0, prefix.size()) != prefix) return req->respond(error_response(ErrorCode::not_found, "no such file"));
    send_file(ctx, req, std::string(raw.substr(prefix.size())));
}

// No icon, and no 404 noise in the logs for it.
void favicon(HttpContext&, const RequestPtr& req) { req->respond(text_response(204, {}, "image/x-icon")); }

void websocket_only(HttpContext&, const RequestPtr& req) {
    req->respond(error_response(ErrorCode::bad_request, "this endpoint takes a WebSocket upgrade"));
}

}  // namespace liveblog::handlers
