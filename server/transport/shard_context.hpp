#pragma once
// One I/O thread's world: its io_context, its core Shard (subscriber index)
// and its open WebSocket sessions. Everything here is touched only by that
// thread (work from elsewhere arrives through shard.post()).

#include <atomic>
#include <unordered_set>

#include "core/shard.hpp"
#include "transport/net.hpp"

namespace liveblog {

class Connection;

enum class Transport { websocket = 0, admin_websocket = 1, sse = 2 };
inline constexpr const char* transport_names[] = {"ws", "admin_ws", "sse"};

// Counters of one shard, written only by its thread (relaxed atomics: no
// contention, and /metrics can read them from another thread).
struct ShardStats {
    std::atomic<std::uint64_t> frames_sent{0};
    std::atomic<std::uint64_t> bytes_sent{0};
    std::atomic<std::uint64_t> slow_readers_dropped{0};
    std::atomic<std::int64_t> open[3] = {0, 0, 0};  // by Transport
};

struct ShardContext {
    explicit ShardContext(std::size_t id)
        : ioc(1), shard(id, [this](Shard::Task task) { net::post(ioc, std::move(task)); }) {}

    net::io_context ioc;  // concurrency hint 1: one thread runs it, Asio can skip locking
    // Keeps run() going while the shard has no connections yet.
    net::executor_work_guard<net::io_context::executor_type> keep_running{ioc.get_executor()};
    Shard shard;
    std::unordered_set<Connection*> sessions;  // open connections, closed with "going away" on shutdown
    std::atomic<std::size_t> session_count{0}; // sessions.size(), readable from any thread
    ShardStats stats;

    void open(Connection* c, Transport t) {
        sessions.insert(c);
        session_count = sessions.size();
        ++stats.open[static_cast<int>(t)];
    }
    void closed(Connection* c, Transport t) {
        if (!sessions.erase(c)) return;
        session_count = sessions.size();
        --stats.open[static_cast<int>(t)];
    }
};

}  // namespace liveblog
