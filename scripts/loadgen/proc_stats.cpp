#include "proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace liveblog::load {
namespace {

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

}  // namespace

std::optional<ProcSample> sample_process(pid_t pid) {
    ProcSample s;
    const std::string base = "/proc/" + std::to_string(pid);
    {
        std::ifstream status(base + "/status");
        if (!status) return std::nullopt;
        std::string line;
        bool rss = false;
        while (std::getline(status, line)) {
            unsigned long long v = 0;
            if (std::sscanf(line.c_str(), "VmRSS: %llu", &v) == 1) { s.rss_kib = v; rss = true; }
            else if (std::sscanf(line.c_str(), "VmHWM: %llu", &v) == 1) s.hwm_kib = v;
            else if (std::sscanf(line.c_str(), "Threads: %llu", &v) == 1) s.threads = static_cast<std::uint32_t>(v);
        }
        if (!rss) return std::nullopt;  // a zombie has no VmRSS
    }
    std::ifstream stat(base + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const std::size_t close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(text.substr(close + 1));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    s.cpu_s = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    return s;
}

double own_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

double children_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

std::uint64_t own_max_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<std::uint64_t>(u.ru_maxrss);
}

}  // namespace liveblog::load
