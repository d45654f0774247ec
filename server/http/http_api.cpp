#include "http/http_api.hpp"

#include "common/clock.hpp"
#include "common/config.hpp"
#include "core/jwt.hpp"
#include "accounts/credentials.hpp"
#include "http/encoded_response.hpp"
#include "http/routes.hpp"
#include "media/media_service.hpp"

namespace liveblog {

namespace http = boost::beast::http;


HttpApi::HttpApi(const Config& config, Hub& hub, accounts::AccountService& accounts, std::string secret,
                 MetricsRegistry& metrics, media::MediaService& media, embed::EmbedService& embeds)
    : read_cache_(config.read_cache_bytes, metrics),
      assets_(config.static_dir, config.compression),
      ctx_{config, hub, accounts, metrics, read_cache_, assets_, {}, media, embeds, media::content_limits_for(media)},
      secret_(std::move(secret)), router_(build_routes(ctx_)) {}

void HttpApi::add_cors(const std::string& origin, HttpResponse& res) const {
    const auto& origins = ctx_.config.cors_origins;
    if (origins.empty()) return;
    // The answer depends on Origin for every request, so a shared cache must key on it.
    add_vary(res, "Origin");
    if (origin.empty()) return;
    bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
    bool listed = std::find(origins.begin(), origins.end(), origin) != origins.end();
    if (!any && !listed) return;
    res.set(http::field::access_control_allow_origin, any ? "*" : origin);
    res.set(http::field::access_control_expose_headers, "ETag");
}

void HttpApi::handle(HttpRequest&& http_req, std::vector<std::string> path, RouteMatch match,
                     std::string client_address, Respond respond) {
    auto req = std::make_shared<Request>();
    req->client_address = std::move(client_address);
    bool api = !path.empty() && path[0] == "api";
    // Reads of the API may come from other origins (CORS); everything else is same-origin.
    // `respond` may run after the request is gone: it keeps what it needs by value.
    std::string origin;
    if (api)
        if (auto it = http_req.find(http::field::origin); it != http_req.end()) origin = std::string(it->value());
    // Answers made once (not from the read cache or the static files, which
    // carry their compressed forms) are compressed here, at a fast level.
    AcceptedCodings accepted;
    if (ctx_.config.compression) accepted = parse_accept_encoding(http_req[http::field::accept_encoding]);
    req->respond = [this, origin = std::move(origin), accepted, respond = std::move(respond)](HttpResponse res) {
        add_cors(origin, res);
        if (accepted.gzip || accepted.br) compress_response(accepted, res);
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

namespace {

bool is_write(http::verb m) { return m != http::verb::get && m != http::verb::head && m != http::verb::options; }

// Access beyond "signed in": throws Error{forbidden}.
void check_access(const Principal& who, Access access) {
    if (access == Access::admin && who.role != Role::admin) throw Error{ErrorCode::forbidden, "this needs an admin"};
}

}  // namespace

bool same_origin(const Request& req) {
    std::string origin = req.header(http::field::origin);
    if (origin.empty()) return true;  // not a browser's cross-origin request
    std::string host = req.header(http::field::host);
    return !host.empty() && (origin == "http://" + host || origin == "https://" + host);
}

void HttpApi::check_credentials(const HttpRequest& head, std::string client_address, Access access,
                                std::function<void(std::optional<HttpResponse>)> done) {
    auto req = std::make_shared<Request>();
    req->client_address = std::move(client_address);
    req->http.method(head.method());
    req->http.target(head.target());
    req->http.version(head.version());
    for (const auto& f : head) req->http.insert(f.name_string(), f.value());
    auto shared_done = std::make_shared<decltype(done)>(std::move(done));
    req->respond = [shared_done](HttpResponse res) { (*shared_done)(std::move(res)); };
    authenticate(req, access, [shared_done] { (*shared_done)(std::nullopt); });
}

void HttpApi::authenticate(const RequestPtr& req, Access access, std::function<void()> next) {
    // What a resolved principal goes through, on whichever thread it resolved.
    auto admit = [req, access, next](std::variant<Principal, Error> result) {
        if (auto* e = std::get_if<Error>(&result)) return req->respond(error_response_for(*e));
        try {
            check_access(std::get<Principal>(result), access);
        } catch (const Error& e) {
            return req->respond(error_response(e.code, e.message));
        }
        req->principal = std::move(std::get<Principal>(result));
        next();
    };
    std::string auth = req->header(http::field::authorization);
    if (!auth.empty()) {
        if (auth.rfind("Bearer ", 0) != 0)
            return admit(Error{ErrorCode::unauthorized, "Authorization: Bearer <token> required"});
        std::string token = auth.substr(7);
        if (token.rfind(accounts::api_token_prefix, 0) == 0) return ctx_.accounts.resolve_api_token(token, admit);
        try {
            return admit(verify_token(token, secret_, now_millis() / 1000).principal());
        } catch (const Error& e) {
            return admit(e);
        }
    }
    auto cookie = accounts::cookie_value(req->header(http::field::cookie), accounts::session_cookie_name);
    if (!cookie || cookie->empty())
        return admit(Error{ErrorCode::unauthorized, "sign in, or send Authorization: Bearer <token>"});
    ctx_.accounts.resolve_session(*cookie, [req, admit](std::variant<accounts::ResolvedSession, Error> result) {
        if (auto* e = std::get_if<Error>(&result)) return admit(*e);
        auto& resolved = std::get<accounts::ResolvedSession>(result);
        // A cookie goes with every request the browser makes to this server,
        // whoever's page asks: a write must prove it comes from the console.
        if (is_write(req->http.method())) {
            if (!same_origin(*req))
                return admit(Error{ErrorCode::origin_refused, "a signed-in write must come from this server's pages"});
            if (!accounts::equal_in_constant_time(req->header("X-CSRF-Token"), resolved.session.csrf_token))
                return admit(Error{ErrorCode::csrf_failed, "X-CSRF-Token missing or wrong (see GET /api/session)"});
        }
        req->csrf_token = resolved.session.csrf_token;
        admit(std::move(resolved.principal));
    });
}

}  // namespace liveblog
