#include "common/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "common/clock.hpp"

namespace liveblog {

namespace {
std::atomic<LogLevel> g_level{LogLevel::info};
std::atomic<LogFormat> g_format{LogFormat::text};
const char* names[] = {"debug", "info", "warn", "error"};
std::mutex g_file_mutex;  // open and reopen only; writes never take it
std::string g_file;

// JSON string contents (RFC 8259): quote, backslash and control characters
// escaped; other bytes as they are (log text is UTF-8 or close to it).
void append_json_string(std::string& out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
}

void write_all(const std::string& line) {
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // nowhere to report a failing log
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

int open_for_append(const std::string& path) {
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}
}  // namespace

void set_log_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel log_level() { return g_level.load(std::memory_order_relaxed); }
void set_log_format(LogFormat format) { g_format.store(format, std::memory_order_relaxed); }

bool parse_log_level(std::string_view name, LogLevel& out) {
    for (int i = 0; i < 4; ++i)
        if (name == names[i]) {
            out = static_cast<LogLevel>(i);
            return true;
        }
    return false;
}

bool parse_log_format(std::string_view name, LogFormat& out) {
    if (name == "text") out = LogFormat::text;
    else if (name == "json") out = LogFormat::json;
    else return false;
    return true;
}

void open_log_file(const std::string& path) {
    std::lock_guard lock(g_file_mutex);
    const int fd = open_for_append(path);
    if (fd < 0) throw std::runtime_error("log_file: cannot open " + path + ": " + std::strerror(errno));
    // dup2 replaces standard error in one step: a line being written goes to
    // the old file or the new one, never nowhere.
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
    g_file = path;
}

bool reopen_log_file() {
    std::lock_guard lock(g_file_mutex);
    if (g_file.empty()) return true;
    const int fd = open_for_append(g_file);
    if (fd < 0) return false;
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
    return true;
}

void write_log_line(LogLevel level, const std::string& text) {
    std::string line;
    line.reserve(text.size() + 64);
    if (g_format.load(std::memory_order_relaxed) == LogFormat::json) {
        line += "{\"ts\":\"";
        line += format_iso8601(now_millis());
        line += "\",\"level\":\"";
        line += names[static_cast<int>(level)];
        line += "\",\"msg\":\"";
        append_json_string(line, text);
        line += "\"}\n";
    } else {
        line += format_iso8601(now_millis());
        line += ' ';
        line += names[static_cast<int>(level)];
        line += ' ';
        line += text;
        line += '\n';
    }
    write_all(line);
}

void write_raw_log_line(const std::string& text) { write_all(text + "\n"); }

}  // namespace liveblog
