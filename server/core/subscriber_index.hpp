#pragma once
// story -> subscriptions, one index per shard (I/O thread); no locks: only
// the owning thread touches it. Every operation is O(1) (swap-remove; each
// subscription remembers its slot). add/remove report the first/last
// transitions, which a cluster engine needs to (un)subscribe a node from a
// story's feed.
//
// Invariant: a subscription is in the index at most once, and its `slot`
// is its position in its story's vector.
// Invariant: for_each callbacks must not add or remove subscriptions
// (deliveries that want to close a connection defer it).

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/frame.hpp"

namespace liveblog {

class Subscriber;

struct Subscription {
    Subscriber* owner = nullptr;
    std::string story;
    Seq last_seq = 0;             // highest seq handed to the owner; older frames are dropped
    bool catching_up = false;     // live frames are held until the catch-up is sent
    std::vector<FramePtr> held;   // live frames that arrived while catching up
    std::uint64_t generation = 0; // tells a late catch-up from a newer subscription to the same story
    std::size_t slot = 0;         // index-owned
    bool indexed = false;         // index-owned
};

class Subscriber {
public:
    virtual ~Subscriber() = default;
    // Called on the shard's thread for each frame of a story the subscription follows.
    virtual void deliver(Subscription& sub, const FramePtr& frame) = 0;
};

class SubscriberIndex {
public:
    bool add(Subscription& sub);     // true: the first subscription to this story here
    bool remove(Subscription& sub);  // true: the last subscription to this story here left

    template <class F>
    void for_each(const std::string& story, F&& f) const {
        auto it = by_story_.find(story);
        if (it == by_story_.end()) return;
        for (Subscription* s : it->second) f(*s);
    }

    std::size_t count(const std::string& story) const;
    std::size_t story_count() const { return by_story_.size(); }
    std::size_t subscription_count() const { return total_; }

private:
    std::unordered_map<std::string, std::vector<Subscription*>> by_story_;
    std::size_t total_ = 0;
};

// Hands every subscription of frame->story in the index the frame, applying
// the sequence rule: frames with seq <= last_seq are dropped (already sent in
// a catch-up), frames arriving during a catch-up are held.
void deliver_to_index(const SubscriberIndex& index, const FramePtr& frame);

}  // namespace liveblog
