#include "http/http_context.hpp"

#include <cmath>

#include "common/config.hpp"
#include "common/log.hpp"

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

std::string HttpContext::cache_control() const {
    return "public, max-age=" + std::to_string(static_cast<long>(std::lround(config.cache_max_age_s)));
}

std::string HttpContext::story_etag(const Story& s, const std::string& variant) {
    return "\"" + s.epoch + "-" + std::to_string(s.seq) + (variant.empty() ? "" : "-" + variant) + "\"";
}

HttpResponse html_response(unsigned status, std::string body) {
    return text_response(status, std::move(body), "text/html; charset=utf-8");
}

}  // namespace liveblog
