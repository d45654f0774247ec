#pragma once
// The most recent events of one story, as encoded frames, for replay without
// touching the store. Bounded by count and by bytes (the frames' WebSocket
// form); the oldest falls out first, the newest always stays.
// Invariant: seqs are consecutive from oldest_seq() to the newest, and
// bytes() is the sum of the kept frames' sizes.

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "core/frame.hpp"

namespace liveblog {

class EventRing {
public:
    explicit EventRing(std::size_t capacity, std::size_t max_bytes = static_cast<std::size_t>(-1))
        : capacity_(capacity), max_bytes_(max_bytes) {}

    void push(std::string compaction_key, FramePtr frame);
    // seq of the oldest kept event; `next_seq` when empty.
    Seq oldest_seq(Seq next_seq) const { return items_.empty() ? next_seq : items_.front().frame->seq; }
    // The compacted frames after `since` (which must be >= oldest_seq() - 1).
    std::vector<FramePtr> since(Seq since) const;
    std::size_t size() const { return items_.size(); }
    std::size_t bytes() const { return bytes_; }
    void clear() {
        items_.clear();
        bytes_ = 0;
    }

private:
    struct Item {
        std::string key;
        FramePtr frame;
    };
    void pop_oldest();
    std::size_t capacity_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::deque<Item> items_;
};

}  // namespace liveblog
