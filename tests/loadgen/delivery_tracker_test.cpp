#include <catch2/catch.hpp>

#include "delivery_tracker.hpp"

using namespace liveblog::load;
using Outcome = DeliveryTracker::Outcome;

TEST_CASE("delivery tracker: loss and duplicates per reader over two stories") {
    DeliveryTracker t(2);
    const auto a = t.add_reader(0);  // story 0: even indexes
    const auto b = t.add_reader(1);  // story 1: odd indexes
    for (std::uint64_t i = 0; i < 10; i += 2) CHECK(t.record(a, i, 100 + static_cast<std::int64_t>(i)) == Outcome::first);
    CHECK(t.record(a, 4, 1) == Outcome::duplicate);
    CHECK(t.record(a, 3, 1) == Outcome::misrouted);
    CHECK(t.record(b, 1, 5) == Outcome::first);
    CHECK(t.record(b, 5, 7) == Outcome::first);  // 3, 7, 9 missing
    const auto loss = t.loss(10, {}, {true, true});
    CHECK(loss.expected == 10);
    CHECK(loss.lost == 3);
    CHECK(loss.readers_with_loss == 1);
    CHECK(t.event_receivers()[4] == 1);
    CHECK(t.event_max_latency_us()[4] == 104);
    CHECK(t.event_max_latency_us()[3] == -1);
}

TEST_CASE("delivery tracker: refused posts and uncounted readers are not losses") {
    DeliveryTracker t(1);
    const auto a = t.add_reader(0);
    const auto b = t.add_reader(0);
    for (std::uint64_t i = 0; i < 100; ++i)
        if (i != 50) t.record(a, i, 1);
    const auto loss = t.loss(100, {50}, {true, false});
    CHECK(loss.expected == 99);
    CHECK(loss.lost == 0);
    CHECK(t.loss(100, {}, {true, false}).lost == 1);
    CHECK(t.loss(100, {}, {true, true}).lost == 101);  // b saw nothing
    (void)b;
    CHECK(t.record(a, 20'000'000'000ull, 1) == Outcome::out_of_range);
}

TEST_CASE("delivery tracker: per-event max over readers") {
    DeliveryTracker t(1);
    const auto a = t.add_reader(0);
    const auto b = t.add_reader(0);
    t.record(a, 3, 10);
    t.record(b, 3, 30);
    CHECK(t.event_max_latency_us()[3] == 30);
    CHECK(t.event_receivers()[3] == 2);
}
