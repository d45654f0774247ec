#pragma once
// Resident memory and CPU time of a process, from /proc (the server under
// test, given --server-pid), and of this tool itself.

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace liveblog::load {

struct ProcSample {
    std::uint64_t rss_kib = 0;   // VmRSS
    std::uint64_t hwm_kib = 0;   // VmHWM: peak RSS
    double cpu_s = 0;            // utime + stime
    std::uint32_t threads = 0;
};

// Empty when the process is gone or /proc cannot be read.
std::optional<ProcSample> sample_process(pid_t pid);

// CPU seconds (user + system) of this process, and of its waited-for children.
double own_cpu_seconds();
double children_cpu_seconds();
std::uint64_t own_max_rss_kib();

}  // namespace liveblog::load
