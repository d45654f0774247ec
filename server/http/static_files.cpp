#include "http/static_files.hpp"

#include "http/url.hpp"

#include <algorithm>
#include <string>
#include <system_error>

namespace liveblog {

namespace {

// Decided on the decoded text before the filesystem is consulted, so that
// "..", hidden files and odd bytes are refused even when they would happen to
// resolve inside root.
bool is_safe_relative(std::string_view p) {
    if (p.empty() || p.front() == '/') return false;
    for (char c : p) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '\\') return false;
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = p.find('/', start);
        const std::string_view segment = p.substr(start, slash - start);
        // Covers ".", ".." and dotfiles; empty segments ("a//b", "js/") too.
        if (segment.empty() || segment.front() == '.') return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

bool is_strictly_inside(const std::filesystem::path& root, const std::filesystem::path& p) {
    auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    return r == root.end() && q != p.end();
}

}  // namespace

std::optional<std::filesystem::path> resolve_static_path(const std::filesystem::path& root,
                                                         std::string_view url_path) {
    const auto decoded = percent_decode(url_path);
    if (!decoded || !is_safe_relative(*decoded)) return std::nullopt;

    std::error_code ec;
    const auto canonical_root = std::filesystem::canonical(root, ec);
    if (ec) return std::nullopt;
    // weakly_canonical resolves every symlink along the existing prefix, so a
    // link pointing out of root ends up outside it here.
    const auto resolved = std::filesystem::weakly_canonical(canonical_root / *decoded, ec);
    if (ec || !is_strictly_inside(canonical_root, resolved)) return std::nullopt;
    if (!std::filesystem::is_regular_file(resolved, ec) || ec) return std::nullopt;
    return resolved;
}

std::string_view content_type_for(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    struct Entry {
        std::string_view ext;
        std::string_view type;
    };
    static constexpr Entry table[] = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
    };
    for (const auto& e : table) {
        if (e.ext == ext) return e.type;
    }
    return "application/octet-stream";
}

}  // namespace liveblog
