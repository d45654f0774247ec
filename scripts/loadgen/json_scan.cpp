#include "json_scan.hpp"

#include <cstring>

namespace liveblog::load {
namespace {

constexpr std::size_t npos = std::string_view::npos;

// Index just past the closing quote of the string opened at `open`; npos if unterminated.
std::size_t string_end(std::string_view s, std::size_t open) {
    std::size_t i = open + 1;
    while (i < s.size()) {
        const void* q = std::memchr(s.data() + i, '"', s.size() - i);
        if (!q) return npos;
        const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - s.data());
        std::size_t b = at;
        while (b > open + 1 && s[b - 1] == '\\') --b;
        if (((at - b) & 1) == 0) return at + 1;  // an even run of backslashes: the quote is real
        i = at + 1;
    }
    return npos;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

TopLevelFields scan_top_level(std::string_view s) {
    TopLevelFields out;
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n && is_space(s[i])) ++i;
    if (i >= n || s[i] != '{') return out;
    ++i;
    int depth = 1;
    bool expect_key = true;   // depth 1: the next string is a key
    bool value_next = false;  // depth 1: a ':' was read, the value of `key` comes next
    std::string_view key;
    while (i < n) {
        const char c = s[i];
        if (c == '"') {
            const std::size_t e = string_end(s, i);
            if (e == npos) return out;
            if (depth == 1) {
                const std::string_view str = s.substr(i + 1, e - i - 2);
                if (expect_key) {
                    key = str;
                    expect_key = false;
                } else if (value_next) {
                    if (key == "type") out.type = str;
                    else if (key == "epoch") out.epoch = str;
                    else if (key == "mode") out.mode = str;
                    else if (key == "code") out.code = str;
                    value_next = false;
                }
            }
            i = e;
            continue;
        }
        if (depth == 1 && value_next && (c == '-' || (c >= '0' && c <= '9'))) {
            std::uint64_t v = 0;
            bool plain = c != '-';
            std::size_t j = i;
            while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '-' || s[j] == '+' || s[j] == '.' ||
                             s[j] == 'e' || s[j] == 'E')) {
                if (s[j] >= '0' && s[j] <= '9') v = v * 10 + static_cast<std::uint64_t>(s[j] - '0');
                else plain = false;
                ++j;
            }
            if (key == "seq" && plain && j - i <= 19) {
                out.seq = v;
                out.has_seq = true;
            }
            value_next = false;
            i = j;
            continue;
        }
        switch (c) {
            case ':':
                if (depth == 1) value_next = true;
                break;
            case '{':
            case '[':
                ++depth;
                value_next = false;
                break;
            case '}':
            case ']':
                if (--depth == 0) {
                    out.valid = c == '}';
                    return out;
                }
                break;
            case ',':
                if (depth == 1) {
                    expect_key = true;
                    value_next = false;
                }
                break;
            default:
                if (depth == 1 && !is_space(c)) value_next = false;  // true, false, null
                break;
        }
        ++i;
    }
    return out;
}

}  // namespace liveblog::load
