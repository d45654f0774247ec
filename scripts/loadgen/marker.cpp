#include "marker.hpp"

#include <charconv>
#include <limits>

namespace liveblog::load {
namespace {

// Parses decimal digits at p (at least one, no overflow); advances p past them.
bool parse_digits(const char*& p, const char* end, std::uint64_t& out) {
    const char* start = p;
    std::uint64_t v = 0;
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    while (p < end && *p >= '0' && *p <= '9') {
        const auto d = static_cast<std::uint64_t>(*p - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
        ++p;
    }
    if (p == start) return false;
    out = v;
    return true;
}

}  // namespace

std::optional<Marker> find_marker(std::string_view payload) {
    const char* end = payload.data() + payload.size();
    std::size_t pos = 0;
    for (;;) {
        pos = payload.find(marker_prefix, pos);
        if (pos == std::string_view::npos) return std::nullopt;
        const char* p = payload.data() + pos + marker_prefix.size();
        Marker m;
        if (parse_digits(p, end, m.publish_ns) && p < end && *p == ':') {
            ++p;
            if (parse_digits(p, end, m.index) && p < end && *p == ':') return m;
        }
        ++pos;
    }
}

std::size_t write_marker(char* out, const Marker& m) {
    char* p = out;
    for (char c : marker_prefix) *p++ = c;
    p = std::to_chars(p, out + marker_max_size, m.publish_ns).ptr;
    *p++ = ':';
    p = std::to_chars(p, out + marker_max_size, m.index).ptr;
    *p++ = ':';
    return static_cast<std::size_t>(p - out);
}

std::string make_marker(const Marker& m) {
    char buf[marker_max_size];
    return std::string(buf, write_marker(buf, m));
}

}  // namespace liveblog::load
