#pragma once
// Mapping request paths onto files under client-demo/ without ever leaving it.

#include <filesystem>
#include <optional>
#include <string_view>

namespace liveblog {

// `url_path` is the request path after the mount prefix, without query or
// fragment (e.g. "js/app.js"). It is percent-decoded, then refused when it is
// empty or absolute, has an empty, "." or ".." segment, a segment starting
// with '.' (hidden files), a backslash, or a control character (NUL
// included), or when the decoding is invalid. The canonical result must lie
// inside canonical(root) after following symlinks and be a regular file:
// directories get no index.html fallback and no listing.
//
// Returns the canonical path to open; nullopt means "404", whatever the
// reason, so that probes learn nothing. The check and the later open are not
// atomic: root must not be writable by anyone the server does not trust.
std::optional<std::filesystem::path> resolve_static_path(const std::filesystem::path& root,
                                                         std::string_view url_path);

// By extension, case-insensitively; text types carry charset=utf-8.
// Anything unknown is application/octet-stream.
std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace liveblog
