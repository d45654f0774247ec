#pragma once
// Where one HTTP request ends and the next begins must be read the same way
// by liveblog and by every proxy in front of it, or one client's bytes are
// answered as another's request (request smuggling, RFC 9112 section 11.2).
// So a request is refused (400, connection closed) unless its framing is
// unambiguous: at most one Content-Length value, and Transfer-Encoding
// absent or exactly `chunked` and then without Content-Length.

#include <optional>
#include <string>

#include "http/responses.hpp"

namespace liveblog {

// What is wrong with the request's framing, or nullopt when it is sound.
std::optional<std::string> framing_problem(const boost::beast::http::request_header<>& header);

}  // namespace liveblog
