#pragma once
// Wall-clock time as the content model stores it, and its wire form.

#include <optional>
#include <string>
#include <string_view>

#include "core/content.hpp"

namespace liveblog {

Millis now_millis();
// "2026-11-25T11:35:12.345Z"
std::string format_iso8601(Millis t);
std::optional<Millis> parse_iso8601(std::string_view s);

}  // namespace liveblog
