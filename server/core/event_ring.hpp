#pragma once
// The most recent events of one story, as encoded frames, for replay without
// touching the store. Bounded by count; the oldest falls out first.
// Invariant: seqs are consecutive from oldest_seq() to the newest.

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "core/frame.hpp"

namespace liveblog {

class EventRing {
public:
    explicit EventRing(std::size_t capacity) : capacity_(capacity) {}

    void push(std::string compaction_key, FramePtr frame);
    // seq of the oldest kept event; `next_seq` when empty.
    Seq oldest_seq(Seq next_seq) const { return items_.empty() ? next_seq : items_.front().frame->seq; }
    // The compacted frames after `since` (which must be >= oldest_seq() - 1).
    std::vector<FramePtr> since(Seq since) const;
    std::size_t size() const { return items_.size(); }
    void clear() { items_.clear(); }

private:
    struct Item {
        std::string key;
        FramePtr frame;
    };
    std::size_t capacity_;
    std::deque<Item> items_;
};

}  // namespace liveblog
