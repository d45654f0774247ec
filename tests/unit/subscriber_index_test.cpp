#include <catch2/catch.hpp>

#include <memory>
#include <set>

#include "core/subscriber_index.hpp"

using namespace liveblog;

namespace {
struct Recorder : Subscriber {
    std::vector<FramePtr> got;
    void deliver(Subscription&, const FramePtr& f) override { got.push_back(f); }
};

std::unique_ptr<Subscription> sub_for(Recorder& r, const std::string& story, Seq last = 0) {
    auto s = std::make_unique<Subscription>();
    s->owner = &r;
    s->story = story;
    s->last_seq = last;
    return s;
}
}  // namespace

TEST_CASE("SubscriberIndex reports first and last transitions") {
    SubscriberIndex index;
    Recorder r;
    auto a = sub_for(r, "s"), b = sub_for(r, "s"), c = sub_for(r, "t");
    CHECK(index.add(*a));        // first for s
    CHECK_FALSE(index.add(*b));  // second for s
    CHECK(index.add(*c));        // first for t
    CHECK(index.count("s") == 2);
    CHECK(index.story_count() == 2);
    CHECK(index.subscription_count() == 3);
    CHECK_FALSE(index.remove(*a));
    CHECK(index.remove(*b));     // last for s gone
    CHECK(index.count("s") == 0);
    CHECK(index.story_count() == 1);  // empty stories are erased
    CHECK_FALSE(index.remove(*b));   // not indexed any more: no-op
    CHECK(index.remove(*c));
    CHECK(index.subscription_count() == 0);
}

TEST_CASE("SubscriberIndex swap-remove keeps every slot right") {
    SubscriberIndex index;
    Recorder r;
    std::vector<std::unique_ptr<Subscription>> subs;
    for (int i = 0; i < 100; ++i) {
        subs.push_back(sub_for(r, "s"));
        index.add(*subs.back());
    }
    // Remove every third, from the middle out.
    for (int i = 0; i < 100; i += 3) index.remove(*subs[i]);
    std::set<Subscription*> seen;
    index.for_each("s", [&](Subscription& s) { seen.insert(&s); });
    CHECK(seen.size() == 100 - 34);
    for (int i = 0; i < 100; ++i) CHECK(seen.count(subs[i].get()) == (i % 3 != 0));
    for (auto& s : subs) index.remove(*s);  // every slot still valid (asserts in debug builds)
    CHECK(index.subscription_count() == 0);
}

TEST_CASE("deliver_to_index applies the sequence rule") {
    SubscriberIndex index;
    Recorder r1, r2;
    auto live = sub_for(r1, "s", 5);
    auto catching = sub_for(r2, "s", 5);
    catching->catching_up = true;
    index.add(*live);
    index.add(*catching);
    auto f = [](Seq s) { return make_frame("s", s, "x"); };

    deliver_to_index(index, f(5));  // already covered: dropped
    deliver_to_index(index, f(6));
    deliver_to_index(index, f(6));  // duplicate: dropped
    deliver_to_index(index, make_frame("s", 0, "presence"));  // unsequenced: always passes
    deliver_to_index(index, f(7));
    deliver_to_index(index, make_frame("other", 8, "x"));     // another story: not ours

    REQUIRE(r1.got.size() == 3);
    CHECK(r1.got[0]->seq == 6);
    CHECK(r1.got[1]->seq == 0);
    CHECK(r1.got[2]->seq == 7);
    CHECK(live->last_seq == 7);
    CHECK(r2.got.empty());  // held while catching up
    REQUIRE(catching->held.size() == 3);
    CHECK(catching->last_seq == 7);
}
