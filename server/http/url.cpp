#include "http/url.hpp"

#include "common/error_code.hpp"

namespace liveblog {

namespace {
int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            const int hi = hex_digit(in[i + 1]);
            const int lo = hex_digit(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += plus_is_space && in[i] == '+' ? ' ' : in[i];
        }
    }
    return out;
}

std::vector<std::string> split_path(std::string_view target) {
    target = target.substr(0, target.find('?'));
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < target.size()) {
        if (target[pos] == '/') {
            ++pos;
            continue;
        }
        auto slash = target.find('/', pos);
        auto seg = target.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        auto decoded = percent_decode(seg, false);
        out.push_back(decoded ? *decoded : std::string("\x01"));  // undecodable: matches no route
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    return out;
}

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(q + 1);
    std::size_t pos = 0;
    while (pos <= query.size()) {
        auto amp = query.find('&', pos);
        auto pair = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            auto v = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
            if (!v) throw Error{ErrorCode::bad_request, std::string(name) + ": bad percent-encoding"};
            return v;
        }
        if (amp == std::string_view::npos) break;
        pos = amp + 1;
    }
    return std::nullopt;
}

}  // namespace liveblog
