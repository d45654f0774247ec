#include "http/static_files.hpp"

#include <algorithm>
#include <string>
#include <system_error>

namespace liveblog {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Exactly one decoding pass: "%252e" stays "%2e", a literal file name.
std::optional<std::string> percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        const int hi = hex_digit(in[i + 1]);
        const int lo = hex_digit(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

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
