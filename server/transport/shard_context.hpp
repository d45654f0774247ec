#pragma once
// One I/O thread's world: its io_context, its core Shard (subscriber index),
// its open connections and what they share: the read scratch buffer, the
// pool for frames split across reads, the flush list and the keepalive tick.
// Everything here is touched only by that thread (work from elsewhere
// arrives through shard.post()).

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "core/shard.hpp"
#include "transport/net.hpp"
#include "websocket/buffer_pool.hpp"

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
    explicit ShardContext(std::size_t id);
    ~ShardContext();

private:
    // Open connections, dense for a cache-friendly walk: each knows its index,
    // a close moves the last one into its slot.
    std::vector<Connection*> sessions_;
    bool destroying_ = false;

public:
    // Member order matters: what a connection's destructor touches (the list
    // above, the counters, the subscriber index, the buffer pool) is declared
    // before `ioc`, so it outlives it. Connections still open when the shard
    // goes away (the shutdown grace ran out) die with ioc's pending handlers.
    Shard shard;
    std::atomic<std::size_t> session_count{0}; // open connections, readable from any thread
    ShardStats stats;
    std::vector<char> read_scratch;            // every WebSocket read lands here first
    ws::BufferPool buffer_pool;                // for the rare frame split across reads

    net::io_context ioc;  // concurrency hint 1: one thread runs it, Asio can skip locking
    // Keeps run() going while the shard has no connections yet.
    net::executor_work_guard<net::io_context::executor_type> keep_running{ioc.get_executor()};

    // A connection is listed from open() until closed() (its teardown); both
    // run on this shard's thread. closed() of an unlisted one does nothing.
    void open(Connection* c, Transport t);
    void closed(Connection* c);
    // Calls fn(Connection&) for every open connection (the keepalive tick,
    // shutdown). fn may close the connection it is given.
    template <class F>
    void for_each_session(F&& fn);
    // The shard is being destroyed: connections still open now are expected to go.
    bool destroying() const { return destroying_; }

    // Corking: `c` has frames queued. Its flush() runs once the tasks already
    // posted to the shard have run, so a burst of events leaves in one write
    // per connection.
    void want_flush(std::shared_ptr<Connection> c);
    // Starts the once-a-second tick() of every connection (keepalive, deadlines).
    void start_ticking();
    void stop_ticking();

private:
    void run_flush();
    void schedule_tick();

    std::vector<std::shared_ptr<Connection>> to_flush_;
    std::vector<std::shared_ptr<Connection>> flushing_;  // reused between passes
    net::steady_timer tick_timer_{ioc};
};

template <class F>
void ShardContext::for_each_session(F&& fn) {
    // Backwards: a close during fn moves the last connection, already
    // visited, into the slot being left.
    for (std::size_t i = sessions_.size(); i-- > 0;)
        if (i < sessions_.size()) fn(*sessions_[i]);
}

}  // namespace liveblog
