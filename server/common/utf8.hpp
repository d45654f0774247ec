#pragma once
#include <string>
#include <string_view>

namespace liveblog {
// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view bytes);
// Appends the UTF-8 form of `cp` (below 0x110000). Surrogates are encoded
// as they are: a caller that must produce valid UTF-8 leaves them out.
void append_utf8(std::string& out, char32_t cp);
}  // namespace liveblog
