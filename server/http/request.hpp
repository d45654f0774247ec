#pragma once
// One HTTP request on its way through the route table: the request itself,
// the route's parameters, who sent it (once authenticated) and the one way
// to answer it. Handlers take it by shared pointer: an answer may come later,
// from the reader or storage thread, and the request lives until then.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/principal.hpp"
#include "http/responses.hpp"

namespace liveblog {

using Respond = std::function<void(HttpResponse)>;

struct Request;
using RequestPtr = std::shared_ptr<Request>;

struct Request {
    HttpRequest http;
    std::vector<std::string> path;              // percent-decoded segments
    std::map<std::string, std::string> params;  // from the route's pattern
    std::optional<Principal> principal;         // set for routes that need one
    Respond respond;                            // call exactly once
    std::string client_address;                 // the peer's IP address
    std::string csrf_token;                     // a session principal's, for GET /api/session

    std::string_view target() const { return {http.target().data(), http.target().size()}; }
    // A parameter of the route's pattern (the route guarantees it).
    const std::string& param(const std::string& name) const { return params.at(name); }
    std::string header(boost::beast::http::field f) const;
    std::string header(std::string_view name) const;
    std::optional<std::string> query(std::string_view name) const;
    // ?name=N as a non-negative integer; throws Error{bad_request} otherwise.
    std::optional<std::uint64_t> uint_query(std::string_view name) const;
    // The authenticated principal (routes with Access other than anyone).
    const Principal& who() const { return *principal; }
};

}  // namespace liveblog
