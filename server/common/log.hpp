#pragma once
// Logging to stderr, one line per call, with a level and a UTC timestamp.
// The level is process-wide (--log-level); lines below it cost one compare.

#include <sstream>
#include <string_view>

namespace liveblog {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
bool parse_log_level(std::string_view name, LogLevel& out);
void write_log_line(LogLevel level, const std::string& text);
// `text` as one whole line, with no timestamp or level, whatever the level:
// for machine-read lines (the audit log's JSON lines).
void write_raw_log_line(const std::string& text);

template <class... Args>
void log_at(LogLevel level, const Args&... args) {
    if (level < log_level()) return;
    std::ostringstream out;
    (out << ... << args);
    write_log_line(level, out.str());
}

template <class... Args> void log_debug(const Args&... a) { log_at(LogLevel::debug, a...); }
template <class... Args> void log_info(const Args&... a) { log_at(LogLevel::info, a...); }
template <class... Args> void log_warn(const Args&... a) { log_at(LogLevel::warn, a...); }
template <class... Args> void log_error(const Args&... a) { log_at(LogLevel::error, a...); }

}  // namespace liveblog
