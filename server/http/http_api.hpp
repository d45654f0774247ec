#pragma once
// Every plain HTTP request goes through here: the route table
// (http/routes.cpp) finds its route, the route's access rule is checked,
// and the route's handler answers. WebSocket and SSE routes are in the same
// table; the transport takes their connections over before this sees them.
//
// handle() answers through `respond` exactly once, possibly later and from
// another thread (store reads run on the hub's reader thread, writes on its
// storage thread); the caller takes the response back to its connection.

#include <functional>
#include <string>

#include "core/hub.hpp"
#include "http/http_context.hpp"
#include "http/response_cache.hpp"
#include "http/router.hpp"
#include "http/static_assets.hpp"

namespace liveblog {

struct Config;
class MetricsRegistry;

class HttpApi {
public:
    HttpApi(const Config& config, Hub& hub, accounts::AccountService& accounts, std::string secret,
            MetricsRegistry& metrics, media::MediaService& media, embed::EmbedService& embeds);
    HttpApi(const HttpApi&) = delete;
    HttpApi& operator=(const HttpApi&) = delete;

    const Router& router() const { return router_; }
    // `match` is router().match() of the request's method and `path`.
    void handle(HttpRequest&& req, std::vector<std::string> path, RouteMatch match, std::string client_address,
                Respond respond);
    void set_capacity_check(std::function<const char*()> check) { ctx_.capacity_check = std::move(check); }
    // The credentials of a request's head, before its body is read (a large
    // upload is read only for someone allowed to send it): `done` gets the
    // refusal to answer, or nullopt when they hold for `access`. It may run
    // on another thread (sessions and API tokens are read from the store).
    void check_credentials(const HttpRequest& head, std::string client_address, Access access,
                           std::function<void(std::optional<HttpResponse>)> done);
    const ResponseCache& read_cache() const { return read_cache_; }

private:
    // Establishes req->principal as `access` requires, then runs `next`
    // (maybe on a reader thread: a session or API token is read from the
    // store); answers 401/403 itself otherwise. Credentials, first found wins:
    //   Authorization: Bearer <signed token | lbt_ API token>
    //   Cookie: liveblog_session=<id>  - and then, for a write (any method
    //     but GET, HEAD, OPTIONS), X-CSRF-Token must be the session's token
    //     and Origin, when sent, this server's.
    void authenticate(const RequestPtr& req, Access access, std::function<void()> next);
    void add_cors(const std::string& origin, HttpResponse& res) const;

    ResponseCache read_cache_;
    StaticAssets assets_;
    HttpContext ctx_;
    std::string secret_;
    Router router_;
};

// Whether the request's Origin, if it sent one, is this server (its Host).
bool same_origin(const Request& req);

}  // namespace liveblog
