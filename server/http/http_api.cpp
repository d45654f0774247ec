#include "http/http_api.hpp"

#include "common/clock.hpp"
#include "common/config.hpp"
#include "core/jwt.hpp"
#include "http/routes.hpp"

namespace liveblog {

namespace http = boost::beast::http;

HttpApi::HttpApi(const Config& config, Hub& hub, std::string secret, MetricsRegistry& metrics)
    : ctx_{config, hub, metrics, {}}, secret_(std::move(secret)), router_(build_routes(ctx_)) {}

void HttpApi::add_cors(const std::string& origin, HttpResponse& res) const {
    const auto& origins = ctx_.config.cors_origins;
    if (origins.empty()) return;
    // The answer depends on Origin for every request, so a shared cache must key on it.
    res.set(http::field::vary, "Origin");
    if (origin.empty()) return;
    bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
    bool listed = std::find(origins.begin(), origins.end(), origin) != origins.end();
    if (!any && !listed) return;
    res.set(http::field::access_control_allow_origin, any ? "*" : origin);
    res.set(http::field::access_control_expose_headers, "ETag");
}

void HttpApi::handle(HttpRequest&& http_req, std::vector<std::string> path, RouteMatch match, Respond respond) {
    auto req = std::make_shared<Request>();
    bool api = !path.empty() && path[0] == "api";
    // Reads of the API may come from other origins (CORS); everything else is same-origin.
    // `respond` may run after the request is gone: it keeps what it needs by value.
    std::string origin;
    if (api)
        if (auto it = http_req.find(http::field::origin); it != http_req.end()) origin = std::string(it->value());
    req->respond = [this, origin = std::move(origin), respond = std::move(respond)](HttpResponse res) {
        add_cors(origin, res);
        respond(std::move(res));
    };
    req->http = std::move(http_req);
    req->path = std::move(path);
    if (!match.route) {
        if (match.allow.empty()) return req->respond(error_response(ErrorCode::not_found, "no such endpoint"));
        auto res = error_response(ErrorCode::method_not_allowed, "this path takes " + match.allow);
        res.set(http::field::allow, match.allow);
        return req->respond(std::move(res));
    }
    req->params = std::move(match.params);
    const Route& route = *match.route;
    const auto run = [req, &route] {
        try {
            route.handler(req);
        } catch (const Error& e) {
            req->respond(error_response(e.code, e.message));
        }
    };
    if (route.access == Access::anyone) return run();
    authenticate(req, route.access, run);
}

void HttpApi::authenticate(const RequestPtr& req, Access access, const std::function<void()>& next) {
    try {
        std::string auth = req->header(http::field::authorization);
        if (auth.rfind("Bearer ", 0) != 0) throw Error{ErrorCode::unauthorized, "Authorization: Bearer <token> required"};
        req->principal = verify_token(auth.substr(7), secret_, now_millis() / 1000).principal();
        if (access == Access::admin && req->principal->role != Role::admin)
            throw Error{ErrorCode::forbidden, "this needs an admin"};
    } catch (const Error& e) {
        return req->respond(error_response(e.code, e.message));
    }
    next();
}

}  // namespace liveblog
