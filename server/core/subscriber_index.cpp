#include "core/subscriber_index.hpp"

#include <cassert>

namespace liveblog {

bool SubscriberIndex::add(Subscription& sub) {
    assert(!sub.indexed);
    auto& list = by_story_[sub.story];
    sub.slot = list.size();
    sub.indexed = true;
    list.push_back(&sub);
    ++total_;
    return list.size() == 1;
}

bool SubscriberIndex::remove(Subscription& sub) {
    if (!sub.indexed) return false;
    auto it = by_story_.find(sub.story);
    assert(it != by_story_.end());
    auto& list = it->second;
    assert(sub.slot < list.size() && list[sub.slot] == &sub);
    list[sub.slot] = list.back();
    list[sub.slot]->slot = sub.slot;
    list.pop_back();
    sub.indexed = false;
    --total_;
    if (!list.empty()) return false;
    by_story_.erase(it);  // empty stories are erased: the index only holds followed stories
    return true;
}

std::size_t SubscriberIndex::count(const std::string& story) const {
    auto it = by_story_.find(story);
    return it == by_story_.end() ? 0 : it->second.size();
}

void deliver_to_index(const SubscriberIndex& index, const FramePtr& frame) {
    index.for_each(frame->story, [&](Subscription& sub) {
        if (frame->seq != 0) {
            if (frame->seq <= sub.last_seq) return;
            sub.last_seq = frame->seq;
        }
        if (sub.catching_up) {
            sub.held.push_back(frame);
            return;
        }
        sub.owner->deliver(sub, frame);
    });
}

}  // namespace liveblog
