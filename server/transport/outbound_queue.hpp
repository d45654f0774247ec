#pragma once
// A connection's frames waiting to be written, bounded in bytes.
// Invariant: bytes() is the sum of the sizes of the queued frames, and it
// passes the limit only by a single frame taken into an empty queue.
// That frame is admitted because no reader can be "too slow" for a message
// it has not been sent yet: were it refused, a message larger than the
// limit would close every reader, and each would resume into it again.
// (Catch-ups are sized to half the limit and entries to a quarter of it, so
// with the default settings this never happens: it is the backstop for
// settings that make the queue smaller than a message.)
// A vector with a moving head rather than a std::deque: an empty deque still
// holds ~600 bytes, which every idle reader would pay.

#include <vector>

#include "core/frame.hpp"

namespace liveblog {

class OutboundQueue {
public:
    explicit OutboundQueue(std::size_t limit_bytes) : limit_(limit_bytes) {}

    // False (and nothing queued) when the frame would pass the limit and
    // the queue is not empty.
    bool push(FramePtr frame, std::size_t size) {
        if (bytes_ + size > limit_ && !empty()) return false;
        bytes_ += size;
        items_.push_back({std::move(frame), size});
        return true;
    }
    bool empty() const { return head_ == items_.size(); }
    std::size_t size() const { return items_.size() - head_; }
    const FramePtr& front() const { return items_[head_].frame; }
    const FramePtr& at(std::size_t i) const { return items_[head_ + i].frame; }  // i < size()
    void pop() {
        bytes_ -= items_[head_].size;
        items_[head_].frame.reset();
        if (++head_ == items_.size()) {
            items_.clear();
            head_ = 0;
        } else if (head_ >= 64 && head_ * 2 >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }
    // Drops everything but, if asked, the frame at the front (being written).
    void drop(bool keep_front) {
        if (keep_front && !empty()) {
            Item first = std::move(items_[head_]);
            items_.clear();
            bytes_ = first.size;
            items_.push_back(std::move(first));
        } else {
            items_.clear();
            bytes_ = 0;
        }
        head_ = 0;
    }
    std::size_t bytes() const { return bytes_; }

private:
    struct Item {
        FramePtr frame;
        std::size_t size;
    };
    std::size_t limit_;
    std::size_t bytes_ = 0;
    std::size_t head_ = 0;  // items_[head_] is the front
    std::vector<Item> items_;
};

}  // namespace liveblog
