#include "http/http_context.hpp"

#include <cmath>

#include "common/config.hpp"
#include "common/log.hpp"
#include "core/bounded_json.hpp"
#include "protocol/messages.hpp"

namespace liveblog {

void HttpContext::read_then(const Respond& respond, std::function<void()> fn) const {
    auto posted = hub.run_read([fn = std::move(fn), respond] {
        try {
            fn();
        } catch (const Error& e) {
            respond(error_response(e.code, e.message));
        } catch (const std::exception& e) {
            log_error("http: store read failed: ", e.what());
            respond(error_response(ErrorCode::store_unavailable, "the store could not be read; retry"));
        }
    });
    if (posted == WorkQueue::Posted::full)
        respond(error_response(ErrorCode::overloaded, "too many reads waiting; retry shortly"));
    else if (posted == WorkQueue::Posted::stopping)
        respond(error_response(ErrorCode::shutting_down, "the server is shutting down"));
}

namespace {

ResponseCache::Rendered not_kept(const HttpResponse& res) {
    return {encode_response(res.result_int(), res.body(), std::string(res[boost::beast::http::field::content_type]),
                            {}, "no-store", false, {}),
            {}, 0, false};
}

}  // namespace

void HttpContext::cached_read(const RequestPtr& req, std::string key, const Story& story,
                              std::function<ResponseCache::Rendered()> render) const {
    read_cache.get(
        key, story.epoch, story.seq,
        [req](const EncodedResponsePtr& r) { req->respond(answer_encoded(req->http, *r)); },
        // read_then answers a failed or refused read with its error: that
        // answer finishes the render too, and is never kept.
        [this, render = std::move(render)](ResponseCache::Finish finish) {
            read_then([finish](HttpResponse error) { finish(not_kept(error)); },
                      [render, finish] { finish(render()); });
        });
}

bool HttpContext::reached_over_https(const Request& req) const {
    return tls_enabled(config) || req.header("X-Forwarded-Proto") == "https";
}

std::string HttpContext::cache_control() const {
    return "public, max-age=" + std::to_string(static_cast<long>(std::lround(config.cache_max_age_s)));
}

std::string HttpContext::story_etag(const Story& s, const std::string& variant) {
    return "\"" + s.epoch + "-" + std::to_string(s.seq) + (variant.empty() ? "" : "-" + variant) + "\"";
}

nlohmann::json HttpContext::json_body(const Request& req) const {
    if (req.http.body().empty()) return nlohmann::json::object();
    std::string content_type = req.header(boost::beast::http::field::content_type);
    if (content_type.substr(0, content_type.find(';')) != "application/json")
        throw Error{ErrorCode::unsupported_media_type, "Content-Type must be application/json"};
    JsonLimits limits;
    limits.max_bytes = config.max_request_body_bytes;
    return parse_json_object(req.http.body(), limits);
}

accounts::Origin origin_of(const Request& req) {
    return {req.client_address, req.header(boost::beast::http::field::user_agent)};
}

std::string string_field(const nlohmann::json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string())
        throw Error{ErrorCode::bad_request, std::string(name) + ": a string is required"};
    return it->get<std::string>();
}

Role role_field(const nlohmann::json& body, Role fallback) {
    auto it = body.find("role");
    if (it == body.end()) return fallback;
    auto role = it->is_string() ? parse_role(it->get<std::string>()) : std::nullopt;
    if (!role) throw Error{ErrorCode::bad_request, "role: contributor, editor or admin"};
    return *role;
}

std::optional<std::vector<std::string>> scope_field(const nlohmann::json& body) {
    auto it = body.find("stories");
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_array()) throw Error{ErrorCode::bad_request, "stories: null or an array of story ids"};
    std::vector<std::string> out;
    for (auto& s : *it) {
        if (!s.is_string()) throw Error{ErrorCode::bad_request, "stories: null or an array of story ids"};
        out.push_back(s.get<std::string>());
    }
    return out;
}

HttpResponse error_response_for(const Error& e) {
    nlohmann::json extra;
    if (e.retry_after_s > 0) extra = {{"retry_after_s", e.retry_after_s}};
    auto res = error_response(e.code, e.message, extra);
    if (e.retry_after_s > 0) res.set(boost::beast::http::field::retry_after, std::to_string(e.retry_after_s));
    return res;
}

HttpResponse html_response(unsigned status, std::string body) {
    return text_response(status, std::move(body), "text/html; charset=utf-8");
}

}  // namespace liveblog
