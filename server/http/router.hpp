#pragma once
// The route table's machinery: a route is a method, a path pattern, who may
// call it and what answers it. The table itself, every HTTP route of the
// server in one place, is http/routes.cpp.
//
// Patterns are '/'-separated segments: a literal ("api"), a parameter that
// takes one path segment ("{story}"), or, last, a rest parameter that takes
// one or more ("{path...}"). Segments are matched percent-decoded (see
// split_path). HEAD is answered by the GET route. A path some route
// matches with another method is 405 with Allow, any other path 404.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace liveblog {

struct Request;
using RequestPtr = std::shared_ptr<Request>;

// Who may call a route. Finer rules (role, story scope, ownership) are
// core/authorization's, applied by the handler to what the request does.
enum class Access {
    anyone,     // no credential needed
    signed_in,  // any editor-side credential: signed token, API token or session
    admin,      // a signed-in admin
};

const char* to_string(Access access);

// Routes whose connection the transport takes over instead of a handler.
enum class Takeover {
    none,
    websocket,     // a WebSocket upgrade (/ws, /admin/ws)
    event_stream,  // a Server-Sent Events stream (/sse/stories/{id})
};

struct Route {
    boost::beast::http::verb method;
    std::string pattern;
    Access access = Access::anyone;
    std::function<void(const RequestPtr&)> handler;  // null for a takeover route
    Takeover takeover = Takeover::none;
    std::string summary;  // one line, for docs/protocol.md's table and --routes
};

struct RouteMatch {
    const Route* route = nullptr;  // null: no route for this method and path
    std::map<std::string, std::string> params;
    std::string allow;             // when the path exists with other methods: "GET, HEAD, POST"
};

class Router {
public:
    // Throws std::logic_error for a malformed pattern (a programming error).
    void add(Route route);
    RouteMatch match(boost::beast::http::verb method, const std::vector<std::string>& path) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    struct Segment {
        enum class Kind { literal, param, rest } kind;
        std::string text;  // the literal, or the parameter's name
    };
    struct Compiled {
        std::vector<Segment> segments;
    };
    static Compiled compile(const std::string& pattern);
    static bool matches(const Compiled& c, const std::vector<std::string>& path,
                        std::map<std::string, std::string>& params);

    std::vector<Route> routes_;
    std::vector<Compiled> compiled_;
};

}  // namespace liveblog
