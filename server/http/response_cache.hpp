#pragma once
// Reads encoded once per story change: the rendered page, the story's first
// pages of entries, and their compressed forms, shared by every request
// until the story's next event. The same idea as event frames (encoded once,
// written to every reader), applied to the pull path.
//
// Invariants:
//   - An entry is fresh for a story state (epoch, seq) when it was rendered
//     at the same epoch and at that seq or later: a reader is never served
//     an answer older than the story's state when it asked (in cluster mode
//     the store may be ahead of this node's hub, never behind).
//   - Concurrent misses for one key are coalesced: one render, many waiters.
//     A request that arrives after the story moved past the render's seq
//     starts a render of its own instead of waiting for a stale one.
//   - Bounded in bytes: past max_bytes the least recently used entries go.
//     Errors (a 404, a failed read) are answered to their waiters and never
//     kept.
// Thread-safe: lookups come from every I/O thread, completions from the
// store readers. Waiters are called on the completing thread, outside the lock.

#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/encoded_response.hpp"

namespace liveblog {

class Counter;
class MetricsRegistry;

class ResponseCache {
public:
    // What a render produced: the answer, and the story state it shows
    // (cacheable only when `cacheable`).
    struct Rendered {
        EncodedResponsePtr response;
        std::string epoch;
        std::uint64_t seq = 0;
        bool cacheable = true;
    };
    using Waiter = std::function<void(const EncodedResponsePtr&)>;
    using Finish = std::function<void(Rendered)>;
    // Starts a render; it must call `finish` exactly once (on any thread).
    using Render = std::function<void(Finish)>;

    ResponseCache(std::size_t max_bytes, MetricsRegistry& metrics);

    // Answers `waiter` from the cache when fresh for (epoch, seq); else joins
    // the render in flight for the key, or starts `render`.
    void get(const std::string& key, const std::string& epoch, std::uint64_t seq, Waiter waiter, const Render& render);

    std::size_t bytes() const;
    std::size_t size() const;

private:
    struct Entry {
        Rendered value;
        std::list<std::string>::iterator lru;
    };
    struct Flight {
        std::string epoch;
        std::uint64_t seq = 0;
        std::vector<Waiter> waiters;
    };
    void finish(const std::string& key, const std::shared_ptr<Flight>& flight, Rendered r);
    void evict_locked();

    const std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> lru_;  // most recent first
    std::size_t bytes_ = 0;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
    Counter& hits_;
    Counter& misses_;
    Counter& coalesced_;
};

}  // namespace liveblog
