#pragma once
// Reusable byte buffers for frames that straddle two reads. A connection
// borrows one only while it holds an incomplete frame and gives it back as
// soon as the frame is complete, so thousands of idle readers hold no buffer
// and the steady state allocates nothing.

#include <cstddef>
#include <utility>
#include <vector>

namespace liveblog::ws {

class BufferPool {
public:
    explicit BufferPool(std::size_t keep = 1024, std::size_t max_capacity = 1u << 20)
        : keep_(keep), max_capacity_(max_capacity) {}

    std::vector<char> take() {
        if (free_.empty()) return {};
        std::vector<char> v = std::move(free_.back());
        free_.pop_back();
        return v;
    }

    // Buffers grown past max_capacity (a rare huge message) are freed, not kept.
    void give(std::vector<char>&& v) {
        v.clear();
        if (v.capacity() == 0 || v.capacity() > max_capacity_ || free_.size() >= keep_) {
            std::vector<char>().swap(v);
            return;
        }
        free_.push_back(std::move(v));
    }

    std::size_t idle() const { return free_.size(); }

private:
    std::size_t keep_;
    std::size_t max_capacity_;
    std::vector<std::vector<char>> free_;
};

}  // namespace liveblog::ws
