#pragma once
// Percent-decoding (RFC 3986), the one implementation for paths, queries and
// static file names.

#include <optional>
#include <string>
#include <string_view>

namespace liveblog {

// One decoding pass ("%252e" becomes "%2e"); in a query '+' also means space.
// nullopt for a broken escape ("%", "%2", "%zz").
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

}  // namespace liveblog
