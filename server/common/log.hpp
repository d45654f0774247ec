#pragma once
// Logging, one line per call, with a UTC timestamp and a level: as text
// ("2026-12-07T20:00:00.000Z info store sqlite in ...") or, with
// --log-format json, as one JSON object per line ({"ts":..,"level":..,"msg":..})
// for a log shipper. Lines go to standard error, or to --log-file, which
// reopen_log_file() opens again (SIGHUP, after logrotate moved it).
// The level is process-wide (--log-level); lines below it cost one compare.
// Every line is one write(2) to an O_APPEND descriptor: lines from threads
// never interleave, and a reopen swaps the descriptor under them atomically.

#include <sstream>
#include <string>
#include <string_view>

namespace liveblog {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
enum class LogFormat { text, json };

void set_log_level(LogLevel level);
LogLevel log_level();
bool parse_log_level(std::string_view name, LogLevel& out);
bool parse_log_format(std::string_view name, LogFormat& out);
void set_log_format(LogFormat format);
// Sends the log (and anything else written to standard error) to `path`,
// appending; throws std::runtime_error naming the file when it cannot be opened.
void open_log_file(const std::string& path);
// Opens the same file again (a no-op without a log file); false, with the
// old file kept, when it cannot be opened.
bool reopen_log_file();
void write_log_line(LogLevel level, const std::string& text);
// `text` as one whole line, with no timestamp or level, whatever the level:
// for machine-read lines that are JSON already (the audit log).
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
