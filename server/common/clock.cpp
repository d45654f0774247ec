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

std::optional<Millis> parse_iso8601(std::string_view s) {
    std::string str(s);
    std::tm tm{};
    int ms = 0;
    char z = 0;
    int n = std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &z);
    if (n != 8 || z != 'Z') return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<Millis>(timegm(&tm)) * 1000 + ms;
}

}  // namespace liveblog
