#pragma once
// A connection's frames waiting to be written, bounded in bytes.
// Invariant: bytes() is the sum of the sizes of the queued frames.

#include <deque>

#include "core/frame.hpp"

namespace liveblog {

class OutboundQueue {
public:
    explicit OutboundQueue(std::size_t limit_bytes) : limit_(limit_bytes) {}

    // False (and nothing queued) when the frame would pass the limit.
    bool push(FramePtr frame, std::size_t size) {
        if (bytes_ + size > limit_) return false;
        bytes_ += size;
        items_.push_back({std::move(frame), size});
        return true;
    }
    bool empty() const { return items_.empty(); }
    const FramePtr& front() const { return items_.front().frame; }
    void pop() {
        bytes_ -= items_.front().size;
        items_.pop_front();
    }
    // Drops everything but, if asked, the frame at the front (being written).
    void drop(bool keep_front) {
        if (keep_front && !items_.empty()) {
            Item first = std::move(items_.front());
            items_.clear();
            bytes_ = first.size;
            items_.push_back(std::move(first));
        } else {
            items_.clear();
            bytes_ = 0;
        }
    }
    std::size_t bytes() const { return bytes_; }

private:
    struct Item {
        FramePtr frame;
        std::size_t size;
    };
    std::size_t limit_;
    std::size_t bytes_ = 0;
    std::deque<Item> items_;
};

}  // namespace liveblog
