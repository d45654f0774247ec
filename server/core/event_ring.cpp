#include "core/event_ring.hpp"

#include <algorithm>
#include <cassert>

#include "core/recovery.hpp"

namespace liveblog {

void EventRing::push(std::string compaction_key, FramePtr frame) {
    assert(items_.empty() || frame->seq == items_.back().frame->seq + 1);
    if (capacity_ == 0) return;
    const std::size_t size = frame->ws.size();
    while (!items_.empty() && (items_.size() >= capacity_ || bytes_ + size > max_bytes_)) pop_oldest();
    bytes_ += size;
    items_.push_back({std::move(compaction_key), std::move(frame)});
}

void EventRing::pop_oldest() {
    bytes_ -= items_.front().frame->ws.size();
    items_.pop_front();
}

std::vector<FramePtr> EventRing::since(Seq since) const {
    auto first = std::find_if(items_.begin(), items_.end(), [&](const Item& i) { return i.frame->seq > since; });
    std::vector<std::string> keys;
    for (auto it = first; it != items_.end(); ++it) keys.push_back(it->key);
    std::vector<FramePtr> out;
    for (std::size_t i : compact(keys)) out.push_back((first + static_cast<std::ptrdiff_t>(i))->frame);
    return out;
}

}  // namespace liveblog
