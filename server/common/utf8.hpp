#pragma once
#include <string_view>

namespace liveblog {
// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view bytes);
}  // namespace liveblog
