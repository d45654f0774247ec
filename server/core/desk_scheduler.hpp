#pragma once
// Publishes scheduled desk items when their time comes (core/desk.hpp).
//
// Its thread reads the schedule index (every item of every story, in time
// order) every `interval` and submits the scheduler's publish for each item
// due, through the hub like any command. The rules (core/desk_rules) publish
// only an item still scheduled and due, in the transaction that removes it:
//  - exactly once on one node: the storage thread applies commands in turn,
//    and an item already published is no longer on the desk;
//  - exactly once in cluster mode, every node's scheduler trying: the Redis
//    store commits a transaction only if what it read (the desk record) is
//    unchanged, so the first commit wins and the others find nothing;
//  - after a restart (kill -9 included): the index is in the store, so an
//    item whose time passed while the server was down goes out at start.
// Precision: a pass that sees the next item due sooner than `interval` waits
// just until then, so an item scheduled more than `interval` ahead goes out
// within a commit of its time; one scheduled closer than that, within
// `interval` (250 ms by default). Never before its time.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "core/hub.hpp"

namespace liveblog {

class DeskScheduler {
public:
    // `published`: a scheduled item went out (for the audit log); storage thread.
    using Published = std::function<void(const CommandResult&)>;
    DeskScheduler(Hub& hub, std::chrono::milliseconds interval, Published published);
    ~DeskScheduler();

    void start();
    void stop();

    // One pass, now (tests, and the thread's loop): submits what is due;
    // returns when the next item is due, if the pass saw it.
    std::optional<Millis> run_once();

private:
    Hub& hub_;
    std::chrono::milliseconds interval_;
    Published published_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::set<std::string> in_flight_;  // "story/id" submitted and not yet answered
    std::chrono::steady_clock::time_point last_error_log_{};
    std::thread thread_;
};

}  // namespace liveblog
