#pragma once
// The two clocks of the load generator. Wall time (CLOCK_REALTIME) is what
// travels between processes: the publisher stamps it into the marker and every
// subscriber process subtracts it from its own receive time. Monotonic time
// paces the publisher and bounds every wait inside one process.

#include <cstdint>
#include <ctime>

namespace liveblog::load {

inline std::int64_t wall_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t mono_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t seconds_to_ns(double s) { return static_cast<std::int64_t>(s * 1e9); }

}  // namespace liveblog::load
