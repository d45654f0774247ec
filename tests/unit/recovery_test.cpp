#include <catch2/catch.hpp>

#include "core/event_ring.hpp"
#include "core/recovery.hpp"

using namespace liveblog;

TEST_CASE("plan_recovery decision table") {
    // Story at seq 100, epoch "e1", events 61..100 in memory.
    const StoryPosition pos{100, "e1", 61};
    struct Row {
        std::optional<Seq> since;
        std::optional<std::string> epoch;
        RecoveryPlan expected;
        const char* why;
    };
    const Row rows[] = {
        {std::nullopt, std::nullopt, RecoveryPlan::snapshot, "no since: a new reader"},
        {std::nullopt, std::string("e1"), RecoveryPlan::snapshot, "epoch alone means nothing"},
        {100, std::string("e1"), RecoveryPlan::up_to_date, "since == seq"},
        {99, std::string("e1"), RecoveryPlan::replay_memory, "one behind"},
        {60, std::string("e1"), RecoveryPlan::replay_memory, "oldest in memory is since + 1"},
        {59, std::string("e1"), RecoveryPlan::replay_store, "one older than memory"},
        {0, std::string("e1"), RecoveryPlan::replay_store, "from the start"},
        {101, std::string("e1"), RecoveryPlan::snapshot, "a seq from the future"},
        {50, std::string("e2"), RecoveryPlan::snapshot, "another epoch"},
        {100, std::string("e2"), RecoveryPlan::snapshot, "another epoch even when seqs match"},
        {80, std::nullopt, RecoveryPlan::replay_memory, "no epoch (SSE Last-Event-ID): trust the seq"},
    };
    for (const auto& row : rows) {
        INFO(row.why);
        CHECK(plan_recovery({row.since, row.epoch}, pos) == row.expected);
    }
}

TEST_CASE("plan_recovery with nothing in memory") {
    const StoryPosition empty{10, "e", 11};  // oldest_in_memory = seq + 1
    CHECK(plan_recovery({10, "e"}, empty) == RecoveryPlan::up_to_date);
    CHECK(plan_recovery({9, "e"}, empty) == RecoveryPlan::replay_store);
    const StoryPosition fresh{0, "e", 1};
    CHECK(plan_recovery({0, "e"}, fresh) == RecoveryPlan::up_to_date);
    CHECK(plan_recovery({}, fresh) == RecoveryPlan::snapshot);
}

TEST_CASE("compact keeps the last event of each key in order") {
    CHECK(compact({}).empty());
    CHECK(compact({"a", "b", "c"}) == std::vector<std::size_t>{0, 1, 2});
    CHECK(compact({"a", "b", "a", "c", "b", "a"}) == std::vector<std::size_t>{3, 4, 5});
    CHECK(compact({"", "x", ""}) == std::vector<std::size_t>{1, 2});  // story meta ("") compacts too
}

TEST_CASE("replay_is_worth_it") {
    CHECK(replay_is_worth_it(0, 500));
    CHECK(replay_is_worth_it(500, 500));
    CHECK_FALSE(replay_is_worth_it(501, 500));
}

TEST_CASE("EventRing keeps the newest events and replays them compacted") {
    EventRing ring(4);
    auto f = [](Seq s) { return make_frame("s", s, "f" + std::to_string(s)); };
    CHECK(ring.oldest_seq(1) == 1);
    ring.push("a", f(1));
    ring.push("b", f(2));
    ring.push("a", f(3));
    CHECK(ring.oldest_seq(4) == 1);
    auto all = ring.since(0);
    REQUIRE(all.size() == 2);  // a@1 is superseded by a@3
    CHECK(all[0]->seq == 2);
    CHECK(all[1]->seq == 3);
    ring.push("c", f(4));
    ring.push("d", f(5));  // evicts seq 1
    CHECK(ring.size() == 4);
    CHECK(ring.oldest_seq(6) == 2);
    auto tail = ring.since(3);
    REQUIRE(tail.size() == 2);
    CHECK(tail[0]->seq == 4);
    CHECK(tail[1]->seq == 5);
    CHECK(ring.since(5).empty());
}
