#include "http/router.hpp"

#include <stdexcept>

namespace liveblog {

namespace http = boost::beast::http;

const char* to_string(Access access) {
    switch (access) {
        case Access::anyone: return "anyone";
        case Access::signed_in: return "signed in";
        case Access::admin: return "admin";
    }
    return "?";
}

Router::Compiled Router::compile(const std::string& pattern) {
    if (pattern.empty() || pattern[0] != '/') throw std::logic_error("route pattern must start with '/': " + pattern);
    Compiled c;
    std::size_t pos = 1;
    while (pos < pattern.size()) {
        auto slash = pattern.find('/', pos);
        std::string seg = pattern.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        if (seg.empty()) throw std::logic_error("empty segment in route pattern " + pattern);
        if (!c.segments.empty() && c.segments.back().kind == Segment::Kind::rest)
            throw std::logic_error("a rest parameter must come last: " + pattern);
        if (seg.front() == '{' && seg.back() == '}') {
            std::string name = seg.substr(1, seg.size() - 2);
            bool rest = name.size() > 3 && name.compare(name.size() - 3, 3, "...") == 0;
            if (rest) name.resize(name.size() - 3);
            if (name.empty()) throw std::logic_error("unnamed parameter in route pattern " + pattern);
            c.segments.push_back({rest ? Segment::Kind::rest : Segment::Kind::param, name});
        } else {
            c.segments.push_back({Segment::Kind::literal, seg});
        }
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return c;
}

void Router::add(Route route) {
    compiled_.push_back(compile(route.pattern));
    routes_.push_back(std::move(route));
}

bool Router::matches(const Compiled& c, const std::vector<std::string>& path,
                     std::map<std::string, std::string>& params) {
    params.clear();
    std::size_t i = 0;
    for (const auto& seg : c.segments) {
        if (seg.kind == Segment::Kind::rest) {
            if (i >= path.size()) return false;
            std::string rest;
            for (; i < path.size(); ++i) rest += (rest.empty() ? "" : "/") + path[i];
            params[seg.text] = std::move(rest);
            return true;
        }
        if (i >= path.size()) return false;
        if (seg.kind == Segment::Kind::literal && path[i] != seg.text) return false;
        if (seg.kind == Segment::Kind::param) params[seg.text] = path[i];
        ++i;
    }
    return i == path.size();
}

RouteMatch Router::match(http::verb method, const std::vector<std::string>& path) const {
    RouteMatch m;
    const http::verb wanted = method == http::verb::head ? http::verb::get : method;
    std::vector<http::verb> allowed;
    std::map<std::string, std::string> params;
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        if (!matches(compiled_[r], path, params)) continue;
        if (routes_[r].method == wanted) {
            m.route = &routes_[r];
            m.params = std::move(params);
            return m;
        }
        // The CORS preflight answers any /api path: it makes none of them exist.
        if (routes_[r].method == http::verb::options) continue;
        allowed.push_back(routes_[r].method);
        if (routes_[r].method == http::verb::get) allowed.push_back(http::verb::head);
    }
    for (auto v : allowed) {
        std::string name(http::to_string(v));
        if (m.allow.find(name) == std::string::npos) m.allow += (m.allow.empty() ? "" : ", ") + name;
    }
    return m;
}

}  // namespace liveblog
