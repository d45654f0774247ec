#pragma once
// What a subscriber process tells the parent, one JSON line per report over
// its pipe. Kinds: "ready" once its readers are connected, "step" on request
// (ramp: figures since the previous step), "progress" on request (running
// totals), "final" before it exits.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "histogram.hpp"

namespace liveblog::load {

struct ChildReport {
    std::string kind;
    std::uint32_t child = 0;
    std::uint32_t readers = 0;  // assigned to this process
    std::uint32_t live = 0;     // connected (and subscribed) now
    std::uint32_t failed = 0;   // never got live
    std::map<std::string, std::uint64_t> failures;  // reason -> readers
    std::map<std::string, std::uint64_t> closes;    // server close code -> readers
    std::map<std::string, std::uint64_t> errors;    // liveblog error code -> messages
    std::int64_t connect_start_ns = 0, connect_end_ns = 0;  // wall clock: first connect, last reader live
    std::vector<std::uint32_t> story_live;                  // "ready": live readers per story

    Histogram latency;  // live deliveries
    std::uint64_t deliveries = 0, duplicates = 0, replayed = 0, foreign = 0, misrouted = 0;
    std::uint64_t messages = 0, bytes = 0;
    std::uint64_t wire_bytes = 0;  // bytes read from the sockets after the upgrade (compressed, when negotiated)
    std::int64_t first_delivery_ns = 0, last_delivery_ns = 0;

    // "final"
    std::uint64_t expected = 0, lost = 0, readers_with_loss = 0;
    std::vector<std::int64_t> event_max_us;      // per event index; -1: none here
    std::vector<std::uint32_t> event_receivers;  // per event index

    // reconnect storm
    std::uint64_t dropped = 0, resumed = 0, resume_failed = 0;
    std::int64_t drop_ns = 0, last_resumed_ns = 0;
    Histogram resume_us;  // drop -> subscribed again, per reader
    std::map<std::string, std::uint64_t> resume_modes;

    double cpu_s = 0;
    std::uint64_t max_rss_kib = 0;
};

// One line of JSON, newline included.
std::string encode_report(const ChildReport& r);
std::optional<ChildReport> decode_report(std::string_view line, std::string& error);

}  // namespace liveblog::load
