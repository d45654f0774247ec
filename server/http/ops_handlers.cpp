// Operations: liveness, readiness, Prometheus metrics, CORS preflight.

#include "common/metrics.hpp"
#include "http/handlers.hpp"

namespace liveblog::handlers {

namespace http = boost::beast::http;

void healthz(HttpContext&, const RequestPtr& req) { req->respond(json_response(200, {{"status", "ok"}})); }

void readyz(HttpContext& ctx, const RequestPtr& req) {
    const char* problem = ctx.hub.store_ready() ? nullptr : "store_unavailable";
    if (!problem && ctx.capacity_check) problem = ctx.capacity_check();
    req->respond(json_response(problem ? 503 : 200, {{"status", problem ? problem : "ready"}}));
}

void metrics(HttpContext& ctx, const RequestPtr& req) {
    auto res = text_response(200, ctx.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    req->respond(std::move(res));
}

void cors_preflight(HttpContext&, const RequestPtr& req) {
    HttpResponse res = text_response(204, {}, "text/plain");
    res.set(http::field::access_control_allow_methods, "GET, HEAD, OPTIONS");
    res.set(http::field::access_control_allow_headers, "If-None-Match");
    res.set(http::field::access_control_max_age, "600");
    req->respond(std::move(res));
}

}  // namespace liveblog::handlers
