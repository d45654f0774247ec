#pragma once
// One I/O thread's world: its io_context, its core Shard (subscriber index)
// and its open WebSocket sessions. Everything here is touched only by that
// thread (work from elsewhere arrives through shard.post()).

#include <atomic>
#include <unordered_set>

#include "core/shard.hpp"
#include "transport/net.hpp"

namespace liveblog {

class WsSession;

struct ShardContext {
    explicit ShardContext(std::size_t id)
        : ioc(1), shard(id, [this](Shard::Task task) { net::post(ioc, std::move(task)); }) {}

    net::io_context ioc;  // concurrency hint 1: one thread runs it, Asio can skip locking
    // Keeps run() going while the shard has no connections yet.
    net::executor_work_guard<net::io_context::executor_type> keep_running{ioc.get_executor()};
    Shard shard;
    std::unordered_set<WsSession*> sessions;  // open sessions, closed with "going away" on shutdown
    std::atomic<std::size_t> session_count{0}; // sessions.size(), readable from any thread
};

}  // namespace liveblog
