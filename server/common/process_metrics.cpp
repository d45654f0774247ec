#include "common/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace liveblog {

namespace {

struct ProcStat {
    double cpu_seconds = 0;
    double resident_bytes = 0;
    double start_time_s = 0;
};

double boot_time_s() {
    std::ifstream in("/proc/stat");
    for (std::string key; in >> key;) {
        if (key == "btime") {
            double t = 0;
            in >> t;
            return t;
        }
        in.ignore(1 << 16, '\n');
    }
    return 0;
}

ProcStat read_stat() {
    ProcStat out;
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return out;
    // Fields from 3 (state) on: utime 14, stime 15, starttime 22, rss 24.
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0, start = 0, rss = 0;
    for (int i = 3; rest >> field; ++i) {
        if (i == 14) utime = std::stod(field);
        else if (i == 15) stime = std::stod(field);
        else if (i == 22) start = std::stod(field);
        else if (i == 24) {
            rss = std::stod(field);
            break;
        }
    }
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    out.cpu_seconds = (utime + stime) / ticks;
    out.resident_bytes = rss * static_cast<double>(sysconf(_SC_PAGESIZE));
    out.start_time_s = boot_time_s() + start / ticks;
    return out;
}

double open_fds() {
    std::error_code ec;
    double n = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
        ++n;
    return n > 0 ? n - 1 : 0;  // less the directory's own descriptor
}

}  // namespace

void register_process_metrics(MetricsRegistry& metrics, const char* version, const char* commit) {
    const std::string v = version, c = commit;
    metrics.add_collector([v, c](MetricsWriter& w) {
        const ProcStat s = read_stat();
        w.counter("process_cpu_seconds_total", "User and system CPU time spent, in seconds", s.cpu_seconds);
        w.gauge("process_resident_memory_bytes", "Resident memory size, in bytes", s.resident_bytes);
        w.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds", s.start_time_s);
        w.gauge("process_open_fds", "Open file descriptors", open_fds());
        rlimit limit{};
        getrlimit(RLIMIT_NOFILE, &limit);
        w.gauge("process_max_fds", "Maximum number of open file descriptors", static_cast<double>(limit.rlim_cur));
        w.gauge("liveblog_build_info", "The running build: 1, labelled with its version and git commit",
                std::vector<MetricSample>{{{{"version", v}, {"commit", c}}, 1.0}});
    });
}

}  // namespace liveblog
