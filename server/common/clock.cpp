#include "common/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace liveblog {

Millis now_millis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_iso8601(Millis t) {
    std::time_t secs = static_cast<std::time_t>(t / 1000);
    int ms = static_cast<int>(t % 1000);
    if (ms < 0) { ms += 1000; --secs; }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return buf;
}

// YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM): what format_iso8601 writes,
// what browsers' toISOString() writes, and what a person types.
std::optional<Millis> parse_iso8601(std::string_view s) {
    std::size_t i = 0;
    auto digits = [&](int n) -> std::optional<int> {
        if (i + n > s.size()) return std::nullopt;
        int v = 0;
        for (int k = 0; k < n; ++k) {
            char c = s[i + k];
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + (c - '0');
        }
        i += n;
        return v;
    };
    auto take = [&](char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    };
    std::tm tm{};
    auto y = digits(4);
    if (!y || !take('-')) return std::nullopt;
    auto mo = digits(2);
    if (!mo || !take('-')) return std::nullopt;
    auto d = digits(2);
    if (!d || !take('T')) return std::nullopt;
    auto h = digits(2);
    if (!h || !take(':')) return std::nullopt;
    auto mi = digits(2);
    if (!mi) return std::nullopt;
    int sec = 0, ms = 0;
    if (take(':')) {
        auto se = digits(2);
        if (!se) return std::nullopt;
        sec = *se;
        if (take('.')) {
            int scale = 100, n = 0;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                if (n < 3) ms += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
                ++n;
            }
            if (n == 0) return std::nullopt;
        }
    }
    int offset_min = 0;
    if (!take('Z')) {
        bool minus = i < s.size() && s[i] == '-';
        if (!take('+') && !take('-')) return std::nullopt;
        auto oh = digits(2);
        if (!oh || !take(':')) return std::nullopt;
        auto om = digits(2);
        if (!om || *oh > 23 || *om > 59) return std::nullopt;
        offset_min = (minus ? -1 : 1) * (*oh * 60 + *om);
    }
    if (i != s.size()) return std::nullopt;
    if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || sec > 60) return std::nullopt;
    tm.tm_year = *y - 1900;
    tm.tm_mon = *mo - 1;
    tm.tm_mday = *d;
    tm.tm_hour = *h;
    tm.tm_min = *mi;
    tm.tm_sec = sec;
    return (static_cast<Millis>(timegm(&tm)) - offset_min * 60LL) * 1000 + ms;
}

}  // namespace liveblog
