// The read API: stories, pages of entries, the catch-up from a resume point.
// Cacheable answers carry the story's ETag, and a matching If-None-Match is
// answered from memory without touching the store.

#include "common/config.hpp"
#include "core/authorization.hpp"
#include "core/revision.hpp"
#include "core/validation.hpp"
#include "http/handlers.hpp"
#include "protocol/codec.hpp"

namespace liveblog::handlers {

namespace http = boost::beast::http;

namespace {

// An entries page's body stops growing past this (one entry is at most
// max_entry_bytes, 256 KiB): a hundred large entries would be 25 MiB.
constexpr std::size_t max_page_bytes = 1 << 20;

// The story named by the route, or an unknown_story error.
Story known_story(HttpContext& ctx, const RequestPtr& req) {
    const std::string& id = req->param("story");
    check_slug(id);
    auto story = ctx.hub.story(id);
    if (!story) throw Error{ErrorCode::unknown_story, "no story '" + id + "'"};
    return *story;
}

}  // namespace

void list_stories(HttpContext& ctx, const RequestPtr& req) {
    auto stories = ctx.hub.stories();
    nlohmann::json list = nlohmann::json::array();
    std::string tag;
    for (auto& s : stories) {
        list.push_back(story_json(s));
        tag += s.id + ":" + s.epoch + ":" + std::to_string(s.seq) + ";";
    }
    auto res = json_response(200, {{"stories", list}});
    apply_cache_headers(req->http, res, "\"" + std::to_string(std::hash<std::string>{}(tag)) + "\"",
                        ctx.config.cache_max_age_s);
    req->respond(std::move(res));
}

void get_story(HttpContext& ctx, const RequestPtr& req) {
    Story story = known_story(ctx, req);
    auto res = json_response(200, {{"story", story_json(story)}});
    apply_cache_headers(req->http, res, HttpContext::story_etag(story), ctx.config.cache_max_age_s);
    req->respond(std::move(res));
}

void list_entries(HttpContext& ctx, const RequestPtr& req) {
    Story story = known_story(ctx, req);
    Seq before = req->uint_query("before").value_or(0);
    std::size_t limit = req->uint_query("limit").value_or(ctx.config.snapshot_entries);
    if (limit == 0) throw Error{ErrorCode::bad_request, "limit: at least 1"};
    limit = std::min(limit, ctx.config.max_page_entries);
    std::string etag = HttpContext::story_etag(story, std::to_string(before) + "-" + std::to_string(limit));
    if (etag_matches(req->http, etag)) {
        HttpResponse res = json_response(200, nullptr);
        apply_cache_headers(req->http, res, etag, ctx.config.cache_max_age_s);
        return req->respond(std::move(res));
    }
    const std::string variant = std::to_string(before) + "-" + std::to_string(limit);
    ctx.cached_read(req, "entries:" + story.id + ":" + variant, story, [&ctx, id = story.id, before, limit, variant] {
        // The story first: the page read after it is at least as new as the
        // ETag made from it.
        auto current = ctx.hub.store().story(id);
        if (!current) throw Error{ErrorCode::unknown_story, "no story '" + id + "'"};
        auto page = ctx.hub.store().entries(id, before, limit);
        // Bounded in bytes as well as entries: a page stops before the entry
        // that would take it past max_page_bytes (it always holds one), and
        // says has_more, so a client pages on from where it stopped.
        std::string list;
        std::size_t taken = 0;
        for (auto& e : page.entries) {
            std::string one = entry_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            if (taken > 0 && list.size() + one.size() > max_page_bytes) break;
            if (taken > 0) list += ',';
            list += one;
            ++taken;
        }
        const bool has_more = page.has_more || taken < page.entries.size();
        std::string body = "{\"entries\":[" + list + "],\"has_more\":" + (has_more ? "true" : "false") +
                           ",\"next_before\":" +
                           (has_more && taken > 0 ? std::to_string(page.entries[taken - 1].created_seq) : "null") +
                           ",\"story\":" + nlohmann::json(id).dump() + "}";
        return ResponseCache::Rendered{
            encode_response(200, std::move(body), "application/json; charset=utf-8",
                            HttpContext::story_etag(*current, variant), ctx.cache_control(), ctx.config.compression,
                            per_change_levels),
            current->epoch, current->seq, true};
    });
}

// An entry's history, newest first (signed in: the route table; in scope: here).
void entry_revisions(HttpContext& ctx, const RequestPtr& req) {
    Story story = known_story(ctx, req);
    authorize(req->who(), Action::read_history, story.id);
    const std::string group = revision_group(story.id, req->param("entry"));
    ctx.read_then(req->respond, [&ctx, group, respond = req->respond] {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& r : ctx.hub.store().records({revisions_collection, group, "", 200, true}))
            list.push_back(revision_json(revision_from(r)));
        if (list.empty()) return respond(error_response(ErrorCode::unknown_entry, "no such entry, or no history"));
        respond(json_response(200, {{"revisions", list}}));
    });
}

void story_events(HttpContext& ctx, const RequestPtr& req) {
    Story story = known_story(ctx, req);
    ResumePoint resume;
    resume.since = req->uint_query("since").value_or(0);
    if (auto epoch = req->query("epoch")) resume.epoch = *epoch;
    ctx.hub.read_changes(story.id, resume, [respond = req->respond](CatchUp c) {
        if (c.failed) return respond(error_response(ErrorCode::store_unavailable, "the story could not be read; retry"));
        // The body is assembled from the frames' JSON: no re-encoding.
        std::string body = "{\"seq\":" + std::to_string(c.seq) + ",\"epoch\":" + nlohmann::json(c.epoch).dump() +
                           ",\"mode\":\"" + to_string(c.plan) + "\",\"messages\":[";
        bool first = true;
        for (auto& f : c.frames) {
            body += first ? "" : ",";
            body += f->text();
            first = false;
        }
        body += "]}";
        auto res = text_response(200, std::move(body), "application/json; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        respond(std::move(res));
    });
}

}  // namespace liveblog::handlers
