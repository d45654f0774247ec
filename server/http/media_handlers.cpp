// Uploaded images (docs/protocol.md "Media"): POST /api/media stores one,
// GET /media/{media}/{file} serves its stored widths.

#include "common/config.hpp"
#include "core/media_catalog.hpp"
#include "http/handlers.hpp"
#include "http/responses.hpp"
#include "media/media_service.hpp"

namespace liveblog::handlers {

namespace http = boost::beast::http;

void upload_media(HttpContext& ctx, const RequestPtr& req) {
    if (req->http.body().empty())
        throw Error{ErrorCode::bad_request, "the request body is the image file itself, and it is empty"};
    auto who = *req->principal;
    auto from = origin_of(*req);
    accounts::AccountService& accounts = ctx.accounts;
    ctx.media.ingest(std::move(req->http.body()),
                     [req, who, from, &accounts](std::variant<media::Stored, Error> result) {
                         if (auto* e = std::get_if<Error>(&result)) return req->respond(error_response_for(*e));
                         const auto& stored = std::get<media::Stored>(result);
                         if (!stored.duplicate) {
                             accounts::AuditEvent event;
                             event.action = "media.uploaded";
                             event.actor_id = who.user_id;
                             event.actor_name = who.name;
                             event.target = stored.record.info.id;
                             event.address = from.address;
                             event.details = {{"format", stored.record.format}, {"bytes", stored.record.bytes}};
                             accounts.audit(std::move(event));
                         }
                         req->respond(json_response(stored.duplicate ? 200 : 201,
                                                    {{"media", media::media_record_json(stored.record)},
                                                     {"duplicate", stored.duplicate}}));
                     });
}

void media_file(HttpContext& ctx, const RequestPtr& req) {
    const auto& id = req->params.at("media");
    const auto& name = req->params.at("file");
    if (!is_valid_media_id(id)) throw Error{ErrorCode::not_found, "no such media"};
    // A stored file never changes: its name is its version.
    const std::string etag = "\"" + id + "-" + name + "\"";
    const std::string cache = "public, max-age=31536000, immutable";
    if (etag_matches(req->http, etag)) {
        HttpResponse res{http::status::not_modified, 11};
        res.set(http::field::etag, etag);
        res.set(http::field::cache_control, cache);
        return req->respond(std::move(res));
    }
    const auto answer = [req, name, etag, cache](const media::FileBytes& bytes) {
        auto res = text_response(200, *bytes, name.ends_with(".webp") ? "image/webp" : "image/jpeg");
        res.set(http::field::etag, etag);
        res.set(http::field::cache_control, cache);
        res.set("X-Content-Type-Options", "nosniff");
        req->respond(std::move(res));
    };
    // A hot file (the lead image every reader loads) is answered here, on
    // the I/O thread; others are read from the store on a reader thread.
    const std::string key = id + "/" + name;
    if (auto hit = ctx.media.file_cache().find(key)) return answer(hit);
    const media::MediaStore& store = ctx.media.store();
    media::MediaFileCache& cache_of_files = ctx.media.file_cache();
    ctx.read_then(req->respond, [req, &store, &cache_of_files, id, name, key, answer] {
        auto bytes = store.read_file(id, name);
        if (!bytes) return req->respond(error_response(ErrorCode::not_found, "no such media file"));
        auto shared = std::make_shared<const std::string>(std::move(*bytes));
        cache_of_files.put(key, shared);
        answer(shared);
    });
}

}  // namespace liveblog::handlers
