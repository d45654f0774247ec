#pragma once
// The figures of one run, printed twice: a table for people (stdout) and one
// JSON line prefixed "RESULT " for scripts. Latencies are in microseconds in
// the JSON and in milliseconds in the table. Sections that a scenario does
// not measure are left out of both.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "histogram.hpp"

namespace liveblog::load {

struct LatencySummary {
    std::uint64_t count = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
    double mean = 0;
    static LatencySummary of(const Histogram& h);
};

struct ConnectFigures {
    std::uint64_t requested = 0, ready = 0, failed = 0;
    double seconds = 0;  // first connect to last reader live
    double per_s = 0;
    std::map<std::string, std::uint64_t> failures;
};

struct PublishFigures {
    double target_rate = 0, seconds = 0, achieved_rate = 0, max_lag_ms = 0;
    std::uint64_t posted = 0, ok = 0, errors = 0, late = 0;
    LatencySummary ack_us;
    std::map<std::string, std::uint64_t> statuses;
    std::string first_error;
};

struct DeliveryFigures {
    std::uint64_t deliveries = 0, expected = 0, lost = 0, readers_with_loss = 0, duplicates = 0;
    std::uint64_t replayed = 0, foreign = 0, misrouted = 0, messages = 0, bytes = 0, wire_bytes = 0;
    std::uint64_t events_complete = 0, events_incomplete = 0;
    double per_s = 0;  // deliveries per second, first post to last delivery
    LatencySummary latency_us;     // per delivered event: receive - publish
    LatencySummary completion_us;  // per complete event: until the last reader had it
    std::map<std::string, std::uint64_t> closes;
    std::map<std::string, std::uint64_t> errors;
};

struct ResumeFigures {
    std::uint64_t dropped = 0, resumed = 0, failed = 0;
    double all_caught_up_s = 0;  // drop to the last reader subscribed again
    bool all_caught_up = false;
    LatencySummary resume_us;
    std::map<std::string, std::uint64_t> modes;
};

struct ServerFigures {
    int pid = 0;
    std::uint64_t rss_before_kib = 0, rss_connected_kib = 0, rss_after_kib = 0, rss_peak_kib = 0;
    double kib_per_reader = 0;  // (connected - before) / ready readers
    double cpu_s = 0;           // during the measured window
    double window_s = 0;
    std::uint32_t threads = 0;
};

struct RampStep {
    double rate = 0, achieved_rate = 0;
    std::uint64_t posted = 0, errors = 0, deliveries = 0;
    LatencySummary latency_us;
    bool within_bound = false;
};

struct RunResult {
    std::string scenario, target, label, url;
    std::uint32_t readers = 0, processes = 0, stories = 0, entry_bytes = 0, source_addresses = 0;
    ConnectFigures connect;
    std::optional<PublishFigures> publish;
    std::optional<DeliveryFigures> delivery;
    std::optional<ResumeFigures> resume;
    std::optional<ServerFigures> server;
    std::vector<RampStep> ramp;
    double ramp_bound_ms = 0;
    std::optional<double> ramp_max_rate;  // highest rate whose p99 stayed within the bound
    double loadgen_cpu_s = 0;
    double wall_s = 0;
    // Every reader connected, no post refused, nothing lost or duplicated and,
    // in a reconnect storm, every dropped reader resumed.
    bool ok = true;
    std::vector<std::string> warnings;
};

std::string result_json(const RunResult& r);  // one line, without the "RESULT " prefix
std::string result_table(const RunResult& r);

}  // namespace liveblog::load
