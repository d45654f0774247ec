#include "common/log.hpp"

#include <atomic>
#include <cstdio>

#include "common/clock.hpp"

namespace liveblog {

namespace {
std::atomic<LogLevel> g_level{LogLevel::info};
const char* names[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_log_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel log_level() { return g_level.load(std::memory_order_relaxed); }

bool parse_log_level(std::string_view name, LogLevel& out) {
    for (int i = 0; i < 4; ++i)
        if (name == names[i]) {
            out = static_cast<LogLevel>(i);
            return true;
        }
    return false;
}

void write_log_line(LogLevel level, const std::string& text) {
    std::string line = format_iso8601(now_millis()) + " " + names[static_cast<int>(level)] + " " + text + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);  // one write per line: lines from threads do not interleave
}

void write_raw_log_line(const std::string& text) {
    std::string line = text + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace liveblog
