// The desk (core/desk_rules) on every store: drafts and schedules are
// records, publishing moves an item to the entries in one transaction, and
// the scheduler's publish happens once however many nodes try it.

#include <catch2/catch.hpp>

#include <thread>

#include "core/command_rules.hpp"
#include "core/desk.hpp"
#include "store/store_fixtures.hpp"

using namespace liveblog;

namespace {

constexpr Millis t0 = 1'800'000'000'000;

CommandResult run(Store& store, Command c, Millis now = t0) {
    CommandResult r;
    store.write([&](StoreTxn& t) { r = apply_command(t, c, now); });
    return r;
}

DeskCommand desk(DeskAction action, std::string id = {}, std::optional<std::uint32_t> version = {}) {
    DeskCommand c;
    c.action = action;
    c.story = "s";
    c.draft_id = std::move(id);
    c.expected_version = version;
    c.actor = "Anne";
    c.actor_id = "u_anne";
    c.actor_role = Role::editor;
    return c;
}

DeskCommand new_draft(const std::string& text) {
    DeskCommand c = desk(DeskAction::save);
    c.blocks = nlohmann::json::array({{{"type", "text"}, {"text", text}}});
    return c;
}

DeskCommand scheduler_publish(const std::string& id, Millis at) {
    DeskCommand c = desk(DeskAction::publish, id);
    c.by_scheduler = true;
    c.publish_at = at;
    return c;
}

std::vector<Record> schedule_of(Store& store) {
    return store.records({schedule_collection, schedule_group, "", 100, false});
}

void make_story(Store& store) {
    CreateStory c;
    c.id = "s";
    c.title = "S";
    REQUIRE(run(store, c).ok());
}

}  // namespace

STORE_TEST("desk: a draft is a record and not an entry - publishing moves it to the entries with its id - once") {
    TestType fx;
    make_story(fx.store());
    CommandResult saved = run(fx.store(), new_draft("brouillon"));
    REQUIRE(saved.ok());
    REQUIRE(saved.desk);
    CHECK_FALSE(saved.event);  // nothing for readers
    const std::string id = saved.desk->draft_id;
    CHECK(fx.store().entries("s", 0, 10).entries.empty());
    CHECK(fx.store().story("s")->seq == 0);
    auto listed = desk_list_json(fx.store(), "s");
    REQUIRE(listed["items"].size() == 1);
    CHECK(listed["items"][0]["state"] == "draft");

    REQUIRE(run(fx.store(), desk(DeskAction::submit, id, 1)).ok());
    fx.reopen();
    CHECK(desk_list_json(fx.store(), "s")["items"][0]["state"] == "in_review");

    CommandResult pub = run(fx.store(), desk(DeskAction::publish, id, 2), t0 + 5);
    REQUIRE(pub.ok());
    REQUIRE(pub.event);
    CHECK(pub.event->op == EventOp::entry_created);
    CHECK(pub.entry_id == id);
    CHECK(pub.version == 3);
    CHECK(pub.desk->published_as == id);
    fx.reopen();
    auto page = fx.store().entries("s", 0, 10);
    REQUIRE(page.entries.size() == 1);
    CHECK(page.entries[0].id == id);
    CHECK(page.entries[0].published_at == t0 + 5);
    CHECK(page.entries[0].author == "Anne");
    CHECK(desk_list_json(fx.store(), "s")["items"].empty());
    CHECK(fx.store().story("s")->seq == 1);
    // Published already: a second publish finds nothing on the desk.
    CHECK(run(fx.store(), desk(DeskAction::publish, id, 3)).code == ErrorCode::unknown_draft);
    CHECK(fx.store().entries("s", 0, 10).entries.size() == 1);
    // The history holds the desk's steps and the publication.
    auto revs = fx.store().records({"revisions", "s/" + id, "", 10, false});
    REQUIRE(revs.size() == 3);
}

STORE_TEST("desk: the schedule index follows schedules and reschedules - cancels and publications") {
    TestType fx;
    make_story(fx.store());
    const std::string a = run(fx.store(), new_draft("a")).desk->draft_id;
    const std::string b = run(fx.store(), new_draft("b")).desk->draft_id;
    auto schedule = [&](const std::string& id, std::uint32_t v, Millis at) {
        DeskCommand c = desk(DeskAction::schedule, id, v);
        c.publish_at = at;
        return run(fx.store(), c);
    };
    REQUIRE(schedule(a, 1, t0 + 60'000).ok());
    REQUIRE(schedule(b, 1, t0 + 30'000).ok());
    auto due = schedule_of(fx.store());
    REQUIRE(due.size() == 2);
    CHECK(schedule_ref_from(due[0]).id == b);  // in time order
    CHECK(schedule_ref_from(due[1]).id == a);
    REQUIRE(schedule(a, 2, t0 + 10'000).ok());  // rescheduled: one record, at the new time
    due = schedule_of(fx.store());
    REQUIRE(due.size() == 2);
    CHECK(schedule_ref_from(due[0]).id == a);
    CHECK(schedule_ref_from(due[0]).publish_at == t0 + 10'000);
    CHECK(schedule(a, 3, t0 - 1).code == ErrorCode::bad_request);  // in the past

    // Before its time the scheduler's publish does nothing.
    CHECK_FALSE(run(fx.store(), scheduler_publish(a, t0 + 10'000), t0 + 9'999).event);
    // At its time it publishes; trying again (another node, a retry) does nothing.
    auto r = run(fx.store(), scheduler_publish(a, t0 + 10'000), t0 + 10'050);
    REQUIRE(r.event);
    CHECK(r.entry_id == a);
    CHECK_FALSE(run(fx.store(), scheduler_publish(a, t0 + 10'000), t0 + 10'100).event);
    fx.reopen();
    due = schedule_of(fx.store());
    REQUIRE(due.size() == 1);
    CHECK(schedule_ref_from(due[0]).id == b);

    // Cancelled: back to review, out of the index; a stale record of it is cleared.
    REQUIRE(run(fx.store(), desk(DeskAction::unschedule, b, 2)).ok());
    CHECK(schedule_of(fx.store()).empty());
    CHECK_FALSE(run(fx.store(), scheduler_publish(b, t0 + 30'000), t0 + 40'000).event);
    CHECK(fx.store().entries("s", 0, 10).entries.size() == 1);
    CHECK(desk_list_json(fx.store(), "s")["items"][0]["state"] == "in_review");
}

STORE_TEST("desk: a scheduled item due on an ended story returns to review instead of publishing") {
    TestType fx;
    make_story(fx.store());
    const std::string id = run(fx.store(), new_draft("tard")).desk->draft_id;
    DeskCommand c = desk(DeskAction::schedule, id, 1);
    c.publish_at = t0 + 1000;
    REQUIRE(run(fx.store(), c).ok());
    UpdateStory end;
    end.id = "s";
    end.status = StoryStatus::ended;
    REQUIRE(run(fx.store(), end).ok());
    auto r = run(fx.store(), scheduler_publish(id, t0 + 1000), t0 + 2000);
    REQUIRE(r.ok());
    CHECK_FALSE(r.event);
    auto item = desk_list_json(fx.store(), "s")["items"][0];
    CHECK(item["state"] == "in_review");
    CHECK(item["comment"]["by"] == "liveblog");
    CHECK(schedule_of(fx.store()).empty());
}

TEST_CASE("redis store: two nodes' schedulers race for one due item - it is published once", "[store][redis]") {
    RedisFixture fx;
    make_story(fx.store());
    auto other = fx.open();
    for (int round = 0; round < 20; ++round) {
        const std::string id = run(fx.store(), new_draft("n" + std::to_string(round))).desk->draft_id;
        DeskCommand c = desk(DeskAction::schedule, id, 1);
        c.publish_at = t0 + 1000;
        REQUIRE(run(fx.store(), c).ok());
        CommandResult r1, r2;
        std::thread a([&] { r1 = run(fx.store(), scheduler_publish(id, t0 + 1000), t0 + 1001); });
        std::thread b([&] { r2 = run(*other, scheduler_publish(id, t0 + 1000), t0 + 1002); });
        a.join();
        b.join();
        REQUIRE(r1.ok());
        REQUIRE(r2.ok());
        CHECK(static_cast<bool>(r1.event) + static_cast<bool>(r2.event) == 1);
    }
    CHECK(fx.store().entries("s", 0, 100).entries.size() == 20);
    CHECK(fx.store().story("s")->seq == 20);
    CHECK(schedule_of(fx.store()).empty());
}
