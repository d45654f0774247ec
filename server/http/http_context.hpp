#pragma once
// What every HTTP handler shares: the server's configuration, the hub, the
// metrics, and the helpers that make answers look alike (store reads off the
// I/O threads, cache headers, ETags).

#include <functional>
#include <string>

#include "accounts/account_service.hpp"
#include "core/hub.hpp"
#include "core/validation.hpp"
#include "http/request.hpp"
#include "http/response_cache.hpp"

namespace liveblog {

struct Config;
class MetricsRegistry;
class StaticAssets;
namespace media {
class MediaService;
}
namespace embed {
class EmbedService;
}

struct HttpContext {
    const Config& config;
    Hub& hub;
    accounts::AccountService& accounts;
    MetricsRegistry& metrics;
    ResponseCache& read_cache;     // pages and API pages, once per story change
    const StaticAssets& assets;    // the client files, from memory
    // What /readyz reports beside the store: why the server cannot take more
    // connections, or null.
    std::function<const char*()> capacity_check;
    media::MediaService& media;    // uploaded images
    embed::EmbedService& embeds;   // social posts captured as cards
    ContentLimits content_limits;  // content rules, with the uploaded images a block may name

    // Runs fn on the reader thread; a store exception answers 503
    // store_unavailable, a full queue 503 overloaded.
    void read_then(const Respond& respond, std::function<void()> fn) const;
    // Answers `req` from the read cache: `key` names the read (route and
    // variant), `story` the state the answer must be at least as new as. On a
    // miss `render` runs on a store reader (once for every request waiting on
    // the same key) and returns the answer with the state it shows; an
    // Error it throws is answered, never kept.
    void cached_read(const RequestPtr& req, std::string key, const Story& story,
                     std::function<ResponseCache::Rendered()> render) const;
    // Whether the client reached us over HTTPS: TLS on our port, or a proxy
    // in front that says so (X-Forwarded-Proto).
    bool reached_over_https(const Request& req) const;
    // "public, max-age=N" for cacheable reads.
    std::string cache_control() const;
    // "<epoch>-<seq>[-variant]": changes whenever the story does.
    static std::string story_etag(const Story& story, const std::string& variant = {});
    // The request body as a JSON object: Content-Type application/json
    // (415 otherwise), bounded parsing (400 invalid_json); an empty body is {}.
    nlohmann::json json_body(const Request& req) const;

    // A Reply (accounts/) that answers the request: `ok` builds the response
    // from the value; an error becomes its error response (429 with Retry-After).
    template <class T, class F>
    accounts::Reply<T> answer(const RequestPtr& req, F ok) const {
        return [respond = req->respond, ok = std::move(ok)](std::variant<T, Error> result) mutable {
            if (auto* e = std::get_if<Error>(&result)) return respond(error_response_for(*e));
            respond(ok(std::get<T>(result)));
        };
    }
};

// Where a request came from, for the audit log and the sign-in throttle.
accounts::Origin origin_of(const Request& req);
// body[name] as a string; throws Error{bad_request} when absent or not one.
std::string string_field(const nlohmann::json& body, const char* name);

// body's "role" (absent: `fallback`), and "stories" (null or absent: every
// story; else an array of story ids). Throw Error{bad_request}.
Role role_field(const nlohmann::json& body, Role fallback);
std::optional<std::vector<std::string>> scope_field(const nlohmann::json& body);

// The error response of an Error, with Retry-After when it says when.
HttpResponse error_response_for(const Error& e);

HttpResponse html_response(unsigned status, std::string body);

}  // namespace liveblog
