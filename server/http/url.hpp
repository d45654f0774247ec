#pragma once
// Percent-decoding (RFC 3986), the one implementation for paths, queries and
// static file names; request targets split into path segments and query
// parameters.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liveblog {

// One decoding pass ("%252e" becomes "%2e"); in a query '+' also means space.
// nullopt for a broken escape ("%", "%2", "%zz").
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// Path segments of a target ("/api/stories/x?y" -> {"api","stories","x"}),
// percent-decoded; empty segments are skipped. A segment that does not
// decode becomes "\x01", which matches no route.
std::vector<std::string> split_path(std::string_view target);
// The value of ?name= in a target, percent-decoded; none when absent.
// Throws Error{bad_request} for a broken escape.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

}  // namespace liveblog
