// The Store contract (store/store.hpp), one suite run against every store.
// Commands go through apply_command inside write(), as the hub applies them.

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <chrono>
#include <thread>

#include <sqlite3.h>

#include "common/random.hpp"
#include "core/command_rules.hpp"
#include "redis/redis_codec.hpp"
#include "redis/redis_store.hpp"
#include "store/memory_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_fixtures.hpp"

using namespace liveblog;
namespace fs = std::filesystem;

namespace {

constexpr Millis kNow = 1'790'000'000'000;
constexpr std::size_t kAll = 1000;

nlohmann::json text_blocks(const std::string& text = "Bonjour « monde » 🎉") {
    return nlohmann::json::array({{{"type", "text"}, {"text", text}}});
}


// ---------------------------------------------------------------------------
// Commands and checks
// ---------------------------------------------------------------------------

CommandResult run_on(Store& store, const Command& cmd, Millis now = kNow) {
    CommandResult result;
    store.write([&](StoreTxn& t) { result = apply_command(t, cmd, now); });
    return result;
}

template <class Fixture>
CommandResult run(Fixture& fx, const Command& cmd, Millis now = kNow) {
    return run_on(fx.store(), cmd, now);
}

CreateStory create(const std::string& id) {
    CreateStory c;
    c.id = id;
    c.title = "Présidentielle : la soirée électorale en direct";
    c.summary = "Suivez les résultats « minute par minute »";
    c.lang = "fr-FR";
    return c;
}

UpdateStory set_status(const std::string& id, StoryStatus status) {
    UpdateStory u;
    u.id = id;
    u.status = status;
    return u;
}

PostEntry post(const std::string& story, const std::string& key = {}) {
    PostEntry p;
    p.story = story;
    p.idempotency_key = key;
    p.author = "Camille Dupré";
    p.blocks = text_blocks();
    return p;
}

UpdateEntry edit(const std::string& story, const std::string& id, std::uint32_t expected_version) {
    UpdateEntry u;
    u.story = story;
    u.entry_id = id;
    u.expected_version = expected_version;
    u.blocks = text_blocks("Correction : 21 h 30, pas 21 h");
    return u;
}

DeleteEntry remove(const std::string& story, const std::string& id) {
    DeleteEntry d;
    d.story = story;
    d.entry_id = id;
    return d;
}

SetPinned pin(const std::string& story, const std::string& id, bool pinned = true) {
    SetPinned p;
    p.story = story;
    p.entry_id = id;
    p.pinned = pinned;
    return p;
}

void check_same(const Story& a, const Story& b) {
    CHECK(a.id == b.id);
    CHECK(a.title == b.title);
    CHECK(a.summary == b.summary);
    CHECK(a.lang == b.lang);
    CHECK(a.status == b.status);
    CHECK(a.created_at == b.created_at);
    CHECK(a.updated_at == b.updated_at);
    CHECK(a.seq == b.seq);
    CHECK(a.epoch == b.epoch);
    CHECK(a.meta_seq == b.meta_seq);
    CHECK(a.lead_image == b.lead_image);
    CHECK(a.related == b.related);
}

void check_same(const Entry& a, const Entry& b) {
    CHECK(a.id == b.id);
    CHECK(a.story == b.story);
    CHECK(a.version == b.version);
    CHECK(a.published_at == b.published_at);
    CHECK(a.updated_at == b.updated_at);
    CHECK(a.author == b.author);
    CHECK(a.title == b.title);
    CHECK(a.key_event == b.key_event);
    CHECK(a.pinned == b.pinned);
    CHECK(a.deleted == b.deleted);
    CHECK(a.blocks == b.blocks);
    CHECK(a.created_seq == b.created_seq);
    CHECK(a.modified_seq == b.modified_seq);
    CHECK(a.idempotency_key == b.idempotency_key);
}

void check_same(const std::vector<Entry>& a, const std::vector<Entry>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) check_same(a[i], b[i]);
}

std::vector<Seq> created_seqs(const std::vector<Entry>& entries) {
    std::vector<Seq> out;
    for (const auto& e : entries) out.push_back(e.created_seq);
    return out;
}

std::vector<std::string> ids(const std::vector<Entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.id);
    return out;
}

// The stored entry, tombstones included.
Entry stored_entry(Store& store, const std::string& story, const std::string& id) {
    for (auto& e : store.changed_since(story, 0, kAll))
        if (e.id == id) return e;
    FAIL("no entry " << id << " in " << story);
    return {};
}

Seq story_seq(Store& store, const std::string& story) {
    auto s = store.story(story);
    REQUIRE(s);
    return s->seq;
}

}  // namespace

// ---------------------------------------------------------------------------
// Stories
// ---------------------------------------------------------------------------

STORE_TEST("store: create_story, story_exists and the order of stories") {
    TestType fx;
    Store& store = fx.store();
    CHECK(store.healthy());

    auto r = run(fx, create("alpha"), 1000);
    REQUIRE(r.ok());
    REQUIRE(r.story);
    CHECK(r.seq == 0);
    CHECK_FALSE(r.event);
    CHECK(r.story->seq == 0);
    CHECK(r.story->epoch.size() == 8);
    auto stored = store.story("alpha");
    REQUIRE(stored);
    check_same(*stored, *r.story);

    auto again = run(fx, create("alpha"), 2000);
    CHECK(again.code == ErrorCode::story_exists);
    check_same(*store.story("alpha"), *r.story);  // untouched
    CHECK_FALSE(store.story("ghost"));

    REQUIRE(run(fx, create("bravo"), 1000).ok());
    REQUIRE(run(fx, create("charlie"), 3000).ok());
    std::vector<std::string> order;
    for (const auto& s : store.stories()) order.push_back(s.id);
    CHECK(order == std::vector<std::string>{"charlie", "alpha", "bravo"});  // created_at desc, then id
}

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

STORE_TEST("store: post_entry assigns seq 1, 2, 3 and created_seq") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());

    auto titled = post("s");
    titled.title = "Été : « record » battu — 42 °C";
    auto key_event = post("s");
    key_event.key_event = true;
    std::vector<CommandResult> results{run(fx, post("s"), kNow), run(fx, titled, kNow + 1),
                                       run(fx, key_event, kNow + 2)};
    for (Seq i = 0; i < 3; ++i) {
        const auto& r = results[i];
        REQUIRE(r.ok());
        CHECK(r.seq == i + 1);
        CHECK(r.version == 1);
        CHECK_FALSE(r.duplicate);
        REQUIRE(r.event);
        CHECK(r.event->op == EventOp::entry_created);
        CHECK(r.event->seq == i + 1);
        REQUIRE(r.event->entry);
        CHECK(r.event->entry->id == r.entry_id);
    }
    CHECK(story_seq(store, "s") == 3);

    auto page = store.entries("s", 0, 10);
    CHECK_FALSE(page.has_more);
    REQUIRE(page.entries.size() == 3);
    CHECK(created_seqs(page.entries) == std::vector<Seq>{3, 2, 1});
    for (std::size_t i = 0; i < 3; ++i) {
        const Entry& e = page.entries[i];
        const auto& r = results[2 - i];
        check_same(e, *r.event->entry);
        CHECK(e.modified_seq == e.created_seq);
        CHECK(e.version == 1);
        CHECK_FALSE(e.deleted);
        CHECK(e.published_at == kNow + static_cast<Millis>(2 - i));
    }
    CHECK(page.entries[2].blocks.at(0).at("text").get<std::string>() == "Bonjour « monde » 🎉");
    CHECK(page.entries[2].author == "Camille Dupré");
    CHECK_FALSE(page.entries[2].title);
    CHECK(page.entries[1].title == std::optional<std::string>("Été : « record » battu — 42 °C"));
    CHECK(page.entries[0].key_event);
}

STORE_TEST("store: an idempotency key retry returns the first ack and creates nothing") {
    TestType fx;
    REQUIRE(run(fx, create("s")).ok());
    auto first = run(fx, post("s", "key-1"));
    REQUIRE(first.ok());
    // Posts without a key never collide with each other.
    REQUIRE(run(fx, post("s")).ok());
    REQUIRE(run(fx, post("s")).ok());

    auto check_retry = [&] {
        auto retry = run(fx, post("s", "key-1"), kNow + 60'000);
        REQUIRE(retry.ok());
        CHECK(retry.duplicate);
        CHECK(retry.seq == first.seq);
        CHECK(retry.entry_id == first.entry_id);
        CHECK(retry.version == 1);
        CHECK_FALSE(retry.event);
        CHECK(story_seq(fx.store(), "s") == 3);
        CHECK(fx.store().entries("s", 0, kAll).entries.size() == 3);
    };
    check_retry();
    fx.reopen();
    check_retry();

    auto entries = fx.store().changed_since("s", 0, kAll);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].idempotency_key == "key-1");
    CHECK(entries[1].idempotency_key.empty());
    CHECK(entries[2].idempotency_key.empty());

    // Keys are per story.
    REQUIRE(run(fx, create("t")).ok());
    auto other = run(fx, post("t", "key-1"));
    REQUIRE(other.ok());
    CHECK_FALSE(other.duplicate);
    CHECK(other.seq == 1);
    CHECK(other.entry_id != first.entry_id);
}

STORE_TEST("store: update_entry checks the expected version") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    auto posted = run(fx, post("s"));
    REQUIRE(posted.ok());

    auto change = edit("s", posted.entry_id, 1);
    change.title = std::optional<std::string>("Mise à jour");
    change.key_event = true;
    auto updated = run(fx, change, kNow + 1000);
    REQUIRE(updated.ok());
    CHECK(updated.seq == 2);
    CHECK(updated.version == 2);
    REQUIRE(updated.event);
    CHECK(updated.event->op == EventOp::entry_updated);

    Entry e = stored_entry(store, "s", posted.entry_id);
    CHECK(e.version == 2);
    CHECK(e.created_seq == 1);
    CHECK(e.modified_seq == 2);
    CHECK(e.published_at == kNow);
    CHECK(e.updated_at == kNow + 1000);
    CHECK(e.title == std::optional<std::string>("Mise à jour"));
    CHECK(e.key_event);
    CHECK(e.blocks == text_blocks("Correction : 21 h 30, pas 21 h"));
    check_same(e, *updated.event->entry);

    auto stale = edit("s", posted.entry_id, 1);
    stale.blocks = text_blocks("lost update");
    auto conflict = run(fx, stale, kNow + 2000);
    CHECK(conflict.code == ErrorCode::version_conflict);
    CHECK(conflict.version == 2);
    CHECK_FALSE(conflict.event);
    CHECK(story_seq(store, "s") == 2);
    check_same(stored_entry(store, "s", posted.entry_id), e);

    // Clearing the title stores "no title", not an empty one.
    auto untitle = edit("s", posted.entry_id, 2);
    untitle.title = std::optional<std::string>();
    REQUIRE(run(fx, untitle).ok());
    fx.reopen();
    CHECK_FALSE(stored_entry(fx.store(), "s", posted.entry_id).title);
}

STORE_TEST("store: corrections are kept in order with the entry - across a reopen") {
    TestType fx;
    REQUIRE(run(fx, create("s")).ok());
    auto posted = run(fx, post("s"));
    UpdateEntry u = edit("s", posted.entry_id, 1);
    u.correction = "Le chiffre était 12 %, pas 21 % « corrigé » 🎉";
    REQUIRE(run(fx, u, kNow + 1000).ok());
    UpdateEntry again = edit("s", posted.entry_id, 2);
    again.correction = "Deuxième correction";
    REQUIRE(run(fx, again, kNow + 2000).ok());
    // An edit without a correction adds none.
    REQUIRE(run(fx, edit("s", posted.entry_id, 3), kNow + 3000).ok());
    fx.reopen();
    auto e = fx.store().entries("s", 0, kAll).entries.at(0);
    REQUIRE(e.corrections.size() == 2);
    CHECK(e.corrections[0] == Correction{kNow + 1000, "Le chiffre était 12 %, pas 21 % « corrigé » 🎉"});
    CHECK(e.corrections[1] == Correction{kNow + 2000, "Deuxième correction"});
    CHECK(fx.store().changed_since("s", 0, kAll).at(0).corrections.size() == 2);
}

STORE_TEST("store: delete_entry leaves a tombstone") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    std::vector<std::string> posted;
    for (int i = 0; i < 3; ++i) posted.push_back(run(fx, post("s")).entry_id);

    auto stale = remove("s", posted[1]);
    stale.expected_version = 7;
    CHECK(run(fx, stale).code == ErrorCode::version_conflict);
    CHECK(story_seq(store, "s") == 3);

    auto del = remove("s", posted[1]);
    del.expected_version = 1;
    auto r = run(fx, del, kNow + 5);
    REQUIRE(r.ok());
    CHECK(r.seq == 4);
    REQUIRE(r.event);
    CHECK(r.event->op == EventOp::entry_deleted);
    CHECK(r.event->entry_id == posted[1]);

    auto page = store.entries("s", 0, kAll);
    CHECK(ids(page.entries) == std::vector<std::string>{posted[2], posted[0]});
    auto changed = store.changed_since("s", 3, kAll);
    REQUIRE(changed.size() == 1);
    CHECK(changed[0].id == posted[1]);
    CHECK(changed[0].deleted);
    CHECK(changed[0].modified_seq == 4);
    CHECK(changed[0].created_seq == 2);
    CHECK(changed[0].version == 2);
    CHECK(changed[0].updated_at == kNow + 5);

    CHECK(run(fx, remove("s", posted[1])).code == ErrorCode::unknown_entry);
    CHECK(run(fx, edit("s", posted[1], 2)).code == ErrorCode::unknown_entry);
    CHECK(run(fx, pin("s", posted[1])).code == ErrorCode::unknown_entry);
    CHECK(story_seq(store, "s") == 4);
}

STORE_TEST("store: pin and unpin") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    std::vector<std::string> posted;
    for (int i = 0; i < 3; ++i) posted.push_back(run(fx, post("s")).entry_id);
    auto pinned_post = post("s");
    pinned_post.pinned = true;
    posted.push_back(run(fx, pinned_post).entry_id);  // seq 4, pinned from the start

    auto r = run(fx, pin("s", posted[0]));
    REQUIRE(r.ok());
    CHECK(r.version == 2);
    REQUIRE(r.event);
    CHECK(r.event->op == EventOp::entry_updated);
    CHECK(r.event->entry->pinned);
    REQUIRE(run(fx, pin("s", posted[2])).ok());

    auto pinned = [&](std::size_t limit) { return ids(store.snapshot("s", 10, limit)->pinned); };
    CHECK(pinned(10) == std::vector<std::string>{posted[3], posted[2], posted[0]});  // newest first
    CHECK(pinned(2) == std::vector<std::string>{posted[3], posted[2]});
    CHECK(pinned(0).empty());

    REQUIRE(run(fx, pin("s", posted[2], false)).ok());
    CHECK(pinned(10) == std::vector<std::string>{posted[3], posted[0]});
    CHECK_FALSE(stored_entry(store, "s", posted[2]).pinned);
    CHECK(stored_entry(store, "s", posted[2]).version == 3);

    REQUIRE(run(fx, remove("s", posted[3])).ok());  // a deleted entry is no longer pinned
    CHECK(pinned(10) == std::vector<std::string>{posted[0]});
}

STORE_TEST("store: an ended story takes no new entries") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    auto first = run(fx, post("s", "k"));
    REQUIRE(first.ok());
    auto ended = run(fx, set_status("s", StoryStatus::ended), kNow + 10);
    REQUIRE(ended.ok());
    CHECK(ended.seq == 2);
    REQUIRE(ended.story);
    CHECK(ended.story->meta_seq == 2);
    check_same(*store.story("s"), *ended.story);

    CHECK(run(fx, post("s")).code == ErrorCode::story_ended);
    CHECK(story_seq(store, "s") == 2);
    CHECK(store.entries("s", 0, kAll).entries.size() == 1);

    // A retry of a post that was acknowledged before the end still gets its ack.
    auto retry = run(fx, post("s", "k"));
    REQUIRE(retry.ok());
    CHECK(retry.duplicate);
    CHECK(retry.entry_id == first.entry_id);

    REQUIRE(run(fx, set_status("s", StoryStatus::live)).ok());
    auto again = run(fx, post("s"));
    REQUIRE(again.ok());
    CHECK(again.seq == 4);
}

STORE_TEST("store: unknown stories and entries") {
    TestType fx;
    Store& store = fx.store();
    CHECK(run(fx, post("ghost")).code == ErrorCode::unknown_story);
    CHECK(run(fx, set_status("ghost", StoryStatus::ended)).code == ErrorCode::unknown_story);
    CHECK(run(fx, edit("ghost", "e", 1)).code == ErrorCode::unknown_story);
    CHECK(run(fx, remove("ghost", "e")).code == ErrorCode::unknown_story);
    CHECK(run(fx, pin("ghost", "e")).code == ErrorCode::unknown_story);
    CHECK(store.stories().empty());
    CHECK_FALSE(store.story("ghost"));
    CHECK_FALSE(store.snapshot("ghost", 10, 10));
    auto page = store.entries("ghost", 0, 10);
    CHECK(page.entries.empty());
    CHECK_FALSE(page.has_more);
    CHECK(store.changed_since("ghost", 0, 10).empty());

    REQUIRE(run(fx, create("s")).ok());
    CHECK(run(fx, edit("s", "nope", 1)).code == ErrorCode::unknown_entry);
    CHECK(run(fx, remove("s", "nope")).code == ErrorCode::unknown_entry);
    CHECK(run(fx, pin("s", "nope")).code == ErrorCode::unknown_entry);
    CHECK(story_seq(store, "s") == 0);
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

STORE_TEST("store: pagination with before and limit walks every live entry once") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    std::vector<std::string> posted;  // posted[i] has created_seq i + 1
    for (int i = 0; i < 23; ++i) posted.push_back(run(fx, post("s")).entry_id);
    // The oldest is deleted too: a tombstone below the last page is not "more".
    for (Seq seq : {1, 10, 11, 17}) REQUIRE(run(fx, remove("s", posted[seq - 1])).ok());
    std::vector<Seq> live;
    for (Seq seq = 23; seq >= 1; --seq)
        if (seq != 1 && seq != 10 && seq != 11 && seq != 17) live.push_back(seq);

    for (std::size_t limit : {1, 4, 5, 19, 50}) {
        INFO("limit " << limit);
        std::vector<Seq> walked;
        Seq before = 0;
        for (int pages = 0;; ++pages) {
            REQUIRE(pages <= 25);
            auto page = store.entries("s", before, limit);
            REQUIRE(!page.entries.empty());
            for (const auto& e : page.entries) {
                CHECK_FALSE(e.deleted);
                CHECK(e.id == posted[e.created_seq - 1]);
            }
            auto seqs = created_seqs(page.entries);
            walked.insert(walked.end(), seqs.begin(), seqs.end());
            if (!page.has_more) break;
            CHECK(page.entries.size() == limit);  // only the last page is short
            before = page.entries.back().created_seq;
        }
        CHECK(walked == live);
    }

    CHECK(created_seqs(store.entries("s", 10, 3).entries) == std::vector<Seq>{9, 8, 7});
    auto bottom = store.entries("s", 2, 10);
    CHECK(bottom.entries.empty());
    CHECK_FALSE(bottom.has_more);
    auto none = store.entries("s", 0, 0);
    CHECK(none.entries.empty());
    CHECK(none.has_more);
}

STORE_TEST("store: snapshot holds the story, the newest page and the pinned entries") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    std::vector<std::string> posted;
    for (int i = 0; i < 5; ++i) posted.push_back(run(fx, post("s")).entry_id);
    REQUIRE(run(fx, pin("s", posted[1])).ok());
    REQUIRE(run(fx, pin("s", posted[3])).ok());
    REQUIRE(run(fx, remove("s", posted[4])).ok());  // seq 8

    auto snap = store.snapshot("s", 3, 10);
    REQUIRE(snap);
    CHECK(snap->story.seq == 8);
    check_same(snap->story, *store.story("s"));
    CHECK(created_seqs(snap->page.entries) == std::vector<Seq>{4, 3, 2});
    CHECK(snap->page.has_more);
    check_same(snap->page.entries, store.entries("s", 0, 3).entries);
    REQUIRE(snap->pinned.size() == 2);
    check_same(snap->pinned[0], stored_entry(store, "s", posted[3]));
    check_same(snap->pinned[1], stored_entry(store, "s", posted[1]));

    auto whole = store.snapshot("s", 10, 1);
    REQUIRE(whole);
    CHECK(created_seqs(whole->page.entries) == std::vector<Seq>{4, 3, 2, 1});
    CHECK_FALSE(whole->page.has_more);
    CHECK(ids(whole->pinned) == std::vector<std::string>{posted[3]});
}

STORE_TEST("store: changed_since compacts to the latest state and returns at most limit + 1") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    std::vector<std::string> e;
    for (int i = 0; i < 5; ++i) e.push_back(run(fx, post("s")).entry_id);  // seq 1..5
    REQUIRE(run(fx, edit("s", e[0], 1)).ok());                              // seq 6
    REQUIRE(run(fx, remove("s", e[1])).ok());                               // seq 7
    REQUIRE(run(fx, edit("s", e[0], 2)).ok());                              // seq 8
    REQUIRE(run(fx, set_status("s", StoryStatus::paused)).ok());            // seq 9, not an entry

    auto all = store.changed_since("s", 0, kAll);
    CHECK(ids(all) == std::vector<std::string>{e[2], e[3], e[4], e[1], e[0]});
    std::vector<Seq> modified;
    for (const auto& x : all) modified.push_back(x.modified_seq);
    CHECK(modified == std::vector<Seq>{3, 4, 5, 7, 8});
    CHECK(all[4].version == 3);
    CHECK(all[3].deleted);

    CHECK(ids(store.changed_since("s", 5, kAll)) == std::vector<std::string>{e[1], e[0]});
    CHECK(ids(store.changed_since("s", 6, kAll)) == std::vector<std::string>{e[1], e[0]});
    CHECK(ids(store.changed_since("s", 0, 2)) == std::vector<std::string>{e[2], e[3], e[4]});  // limit + 1
    CHECK(store.changed_since("s", 0, 0).size() == 1);
    CHECK(store.changed_since("s", 4, 2).size() == 3);
    CHECK(store.changed_since("s", 4, 3).size() == 3);
    CHECK(store.changed_since("s", 8, kAll).empty());
    CHECK(store.changed_since("s", 9, kAll).empty());
}

// ---------------------------------------------------------------------------
// Atomicity
// ---------------------------------------------------------------------------

STORE_TEST("store: a batch sees its own saves and commits together") {
    TestType fx;
    Store& store = fx.store();
    std::vector<CommandResult> results;
    store.write([&](StoreTxn& t) {
        results.push_back(apply_command(t, create("s"), kNow));
        results.push_back(apply_command(t, post("s", "k1"), kNow));
        results.push_back(apply_command(t, edit("s", results.back().entry_id, 1), kNow));
        results.push_back(apply_command(t, pin("s", results[1].entry_id), kNow));
        results.push_back(apply_command(t, post("s", "k1"), kNow));  // retry within the batch
    });
    for (const auto& r : results) REQUIRE(r.ok());
    CHECK(results[3].seq == 3);
    CHECK(results[4].duplicate);
    CHECK(results[4].entry_id == results[1].entry_id);
    CHECK(story_seq(store, "s") == 3);
    auto page = store.entries("s", 0, kAll);
    REQUIRE(page.entries.size() == 1);
    CHECK(page.entries[0].version == 3);
    CHECK(page.entries[0].pinned);
    CHECK(page.entries[0].modified_seq == 3);
}

STORE_TEST("store: a batch whose commit fails leaves nothing") {
    TestType fx;
    REQUIRE(run(fx, create("s")).ok());
    auto first = run(fx, post("s"));
    REQUIRE(run(fx, post("s")).ok());
    auto before_entries = fx.store().changed_since("s", 0, kAll);
    auto before_story = *fx.store().story("s");

    fx.fail_next_write();
    std::vector<CommandResult> results;
    REQUIRE_THROWS_AS(fx.store().write([&](StoreTxn& t) {
        results.push_back(apply_command(t, post("s", "batch-1"), kNow + 1));
        results.push_back(apply_command(t, post("s"), kNow + 1));
        results.push_back(apply_command(t, edit("s", first.entry_id, 1), kNow + 1));
        results.push_back(apply_command(t, create("new"), kNow + 1));
        results.push_back(apply_command(t, post("new"), kNow + 1));
    }),
                      StoreFailure);
    REQUIRE(results.size() == 5);  // fn ran to the end
    for (const auto& r : results) CHECK(r.ok());
    CHECK(results[2].seq == 5);

    Store& store = fx.store();
    check_same(*store.story("s"), before_story);
    check_same(store.changed_since("s", 0, kAll), before_entries);
    CHECK_FALSE(store.story("new"));
    CHECK(store.stories().size() == 1);

    // The store is usable again, and the key was never recorded.
    auto retry = run(fx, post("s", "batch-1"));
    REQUIRE(retry.ok());
    CHECK_FALSE(retry.duplicate);
    CHECK(retry.seq == 3);
    fx.reopen();
    CHECK(story_seq(fx.store(), "s") == 3);
    CHECK_FALSE(fx.store().story("new"));
}

STORE_TEST("store: a write whose fn throws leaves nothing and rethrows") {
    TestType fx;
    REQUIRE(run(fx, create("s")).ok());
    REQUIRE_THROWS_WITH(fx.store().write([&](StoreTxn& t) {
        REQUIRE(apply_command(t, post("s", "k"), kNow).ok());
        REQUIRE(apply_command(t, create("other"), kNow).ok());
        throw std::runtime_error("boom");
    }),
                        "boom");
    CHECK(story_seq(fx.store(), "s") == 0);
    CHECK(fx.store().changed_since("s", 0, kAll).empty());
    CHECK_FALSE(fx.store().story("other"));

    auto r = run(fx, post("s", "k"));
    REQUIRE(r.ok());
    CHECK_FALSE(r.duplicate);
    CHECK(r.seq == 1);
}

STORE_TEST("store: a failed save fails the whole write, even if fn swallows it") {
    TestType fx;
    REQUIRE(run(fx, create("s")).ok());
    Entry orphan;
    orphan.id = "01orphan";
    orphan.story = "ghost";
    orphan.created_seq = orphan.modified_seq = 1;
    orphan.blocks = text_blocks();

    REQUIRE_THROWS_AS(fx.store().write([&](StoreTxn& t) { t.save_entry(orphan); }), StoreFailure);

    Entry twin;  // same created_seq as an existing entry of the story
    REQUIRE(run(fx, post("s")).ok());
    twin = fx.store().entries("s", 0, 1).entries.at(0);
    twin.id = "01twin";
    REQUIRE_THROWS_AS(fx.store().write([&](StoreTxn& t) {
        REQUIRE(apply_command(t, post("s"), kNow).ok());
        try {
            t.save_entry(twin);
        } catch (const StoreFailure&) {
            // swallowed: the write must still not commit the post above
        }
    }),
                      StoreFailure);
    CHECK(story_seq(fx.store(), "s") == 1);
    CHECK(fx.store().changed_since("s", 0, kAll).size() == 1);
    REQUIRE(run(fx, post("s")).ok());
    CHECK(story_seq(fx.store(), "s") == 2);
}

// ---------------------------------------------------------------------------
// Durability and concurrency
// ---------------------------------------------------------------------------

STORE_TEST("store: reopening restores stories, entries, seqs and epochs exactly") {
    TestType fx;
    REQUIRE(run(fx, create("alpha"), kNow).ok());
    REQUIRE(run(fx, create("bravo"), kNow + 1).ok());
    std::vector<std::string> a;
    for (int i = 0; i < 6; ++i) {
        auto p = post("alpha", i % 2 ? "key-" + std::to_string(i) : "");
        if (i == 2) p.title = "Titre « spécial » ✓";
        a.push_back(run(fx, p, kNow + 10 + i).entry_id);
    }
    REQUIRE(run(fx, edit("alpha", a[0], 1), kNow + 20).ok());
    REQUIRE(run(fx, remove("alpha", a[1]), kNow + 21).ok());
    REQUIRE(run(fx, pin("alpha", a[2]), kNow + 22).ok());
    REQUIRE(run(fx, post("bravo", "key-1"), kNow + 23).ok());
    UpdateStory meta;
    meta.id = "bravo";
    meta.title = "Nouveau titre";
    meta.summary = "Résumé";
    meta.status = StoryStatus::paused;
    meta.lead_image = nlohmann::json{{"media", "0123456789abcdef0123456789abcdef"}, {"alt", "La crue"},
                                     {"width", 1200}, {"height", 800}, {"widths", {320, 640, 1024, 1200}}};
    meta.related = nlohmann::json::array({{{"title", "Notre enquête"}, {"url", "https://example.org/e"}}});
    REQUIRE(run(fx, meta, kNow + 24).ok());
    REQUIRE(fx.store().story("bravo")->related.size() == 1);

    auto stories_before = fx.store().stories();
    auto alpha_before = fx.store().changed_since("alpha", 0, kAll);
    auto bravo_before = fx.store().changed_since("bravo", 0, kAll);
    auto snap_before = fx.store().snapshot("alpha", 3, 3);

    fx.reopen();
    Store& store = fx.store();
    auto stories_after = store.stories();
    REQUIRE(stories_after.size() == stories_before.size());
    for (std::size_t i = 0; i < stories_after.size(); ++i) check_same(stories_after[i], stories_before[i]);
    check_same(store.changed_since("alpha", 0, kAll), alpha_before);
    check_same(store.changed_since("bravo", 0, kAll), bravo_before);
    auto snap_after = store.snapshot("alpha", 3, 3);
    REQUIRE(snap_after);
    check_same(snap_after->story, snap_before->story);
    check_same(snap_after->page.entries, snap_before->page.entries);
    CHECK(snap_after->page.has_more == snap_before->page.has_more);
    check_same(snap_after->pinned, snap_before->pinned);

    // The sequence goes on where it stopped, under the same epoch.
    auto next = run(fx, post("alpha"));
    REQUIRE(next.ok());
    CHECK(next.seq == snap_before->story.seq + 1);
    CHECK(store.story("alpha")->epoch == snap_before->story.epoch);
}

STORE_TEST("store: reads during writes see whole writes only") {
    TestType fx;
    Store& store = fx.store();
    REQUIRE(run(fx, create("s")).ok());
    constexpr int kWrites = 40;
    constexpr Seq kBatch = 3;

    // Catch2 assertions are not thread-safe: readers count what they see wrong.
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::atomic<int> reads{0};
    auto reader = [&] {
        while (!done.load()) {
            auto snap = store.snapshot("s", 5, 5);
            if (!snap) {
                ++torn;
                continue;
            }
            Seq seq = snap->story.seq;
            const auto& page = snap->page.entries;
            if (seq % kBatch != 0) ++torn;
            if (page.size() != std::min<Seq>(seq, 5)) ++torn;
            if (!page.empty() && page.front().created_seq != seq) ++torn;
            if (store.changed_since("s", 0, kAll).size() % kBatch != 0) ++torn;
            if (store.entries("s", 0, kAll).entries.size() % kBatch != 0) ++torn;
            if (!store.healthy()) ++torn;
            ++reads;
        }
    };
    std::thread r1(reader);
    std::thread r2(reader);
    for (int i = 0; i < kWrites; ++i) {
        store.write([&](StoreTxn& t) {
            for (Seq j = 0; j < kBatch; ++j)
                if (!apply_command(t, post("s"), kNow + i).ok()) throw std::logic_error("post failed");
        });
    }
    done = true;
    r1.join();
    r2.join();
    CHECK(torn.load() == 0);
    CHECK(reads.load() > 0);
    CHECK(story_seq(store, "s") == kWrites * kBatch);
}

// ---------------------------------------------------------------------------
// SQLite only
// ---------------------------------------------------------------------------

namespace {

// A plain connection to look at (or tamper with) a store file.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
    }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    std::string text(const char* sql) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK);
        std::string out;
        if (sqlite3_step(stmt) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        return out;
    }
    void exec(const char* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("sqlite store: schema version - pragmas and NULL keys", "[store][sqlite]") {
    TempDir dir;
    std::string path = (dir.path / "liveblog.db").string();
    {
        SqliteStore store(path);
        CommandResult r;
        store.write([&](StoreTxn& t) {
            r = apply_command(t, create("s"), kNow);
            apply_command(t, post("s"), kNow);
            apply_command(t, post("s"), kNow);
            apply_command(t, post("s", "k"), kNow);
        });
        REQUIRE(r.ok());
    }
    RawDb raw(path);
    CHECK(raw.text("PRAGMA user_version") == std::to_string(SqliteStore::schema_version));
    CHECK(raw.text("PRAGMA journal_mode") == "wal");
    CHECK(raw.text("SELECT count(*) FROM entries WHERE idempotency_key IS NULL") == "2");
    CHECK(raw.text("SELECT blocks FROM entries WHERE idempotency_key = 'k'") == text_blocks().dump());
}

TEST_CASE("sqlite store: the WAL is checkpointed in the background - not by commits", "[store][sqlite]") {
    TempDir dir;
    std::string path = (dir.path / "liveblog.db").string();
    SqliteStore store(path);
    auto db_bytes = [&] { return fs::file_size(path); };
    const auto before = db_bytes();
    // A few commits: far below SQLite's own 1,000-page checkpoint threshold,
    // so only the store's checkpoint thread copies them into the file.
    for (int i = 0; i < 5; ++i)
        store.write([&](StoreTxn& t) {
            if (i == 0) apply_command(t, create("s"), kNow);
            apply_command(t, post("s"), kNow);
        });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (db_bytes() == before && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(db_bytes() > before);
    CHECK(store.entries("s", 0, 10).entries.size() == 5);
}

TEST_CASE("sqlite store: a file from a newer schema is refused", "[store][sqlite]") {
    TempDir dir;
    std::string path = (dir.path / "liveblog.db").string();
    { SqliteStore store(path); }
    {
        RawDb raw(path);
        raw.exec(("PRAGMA user_version = " + std::to_string(SqliteStore::schema_version + 1)).c_str());
    }
    REQUIRE_THROWS_WITH(SqliteStore(path), Catch::Contains("schema version " + std::to_string(SqliteStore::schema_version + 1)) &&
                                               Catch::Contains("newer"));
}

TEST_CASE("sqlite store: a version 1 file is migrated forward with its entries", "[store][sqlite]") {
    TempDir dir;
    std::string path = (dir.path / "liveblog.db").string();
    {
        SqliteStore store(path);
        store.write([&](StoreTxn& t) {
            apply_command(t, create("ancien"), kNow);
            apply_command(t, post("ancien"), kNow);
        });
    }
    {
        // What a version 1 build left: no records table.
        RawDb raw(path);
        raw.exec("DROP TABLE records");
        raw.exec("ALTER TABLE entries DROP COLUMN corrections");
        raw.exec("ALTER TABLE stories DROP COLUMN lead_image");
        raw.exec("ALTER TABLE stories DROP COLUMN related");
        raw.exec("PRAGMA user_version = 1");
    }
    SqliteStore store(path);
    CHECK(store.entries("ancien", 0, 10).entries.size() == 1);
    // Stories from before lead images and related links have neither.
    auto story = store.story("ancien");
    REQUIRE(story);
    CHECK(story->lead_image.is_null());
    CHECK(story->related == nlohmann::json::array());
    store.write([](StoreTxn& t) { t.save_record("users", Record{"u1", "", "{}"}); });
    CHECK(store.record("users", "u1").has_value());
    RawDb raw(path);
    CHECK(raw.text("PRAGMA user_version") == std::to_string(SqliteStore::schema_version));
}

TEST_CASE("sqlite store: unusable paths fail clearly", "[store][sqlite]") {
    TempDir dir;
    std::string junk = (dir.path / "junk.db").string();
    std::ofstream(junk) << "this is not a database, just some text long enough to have a header";
    CHECK_THROWS_AS(SqliteStore(junk), StoreFailure);
    CHECK_THROWS_AS(SqliteStore(":memory:"), StoreFailure);
    CHECK_THROWS_AS(SqliteStore(""), StoreFailure);
}

// ---------------------------------------------------------------------------
// Redis only
// ---------------------------------------------------------------------------

namespace {

void check_same(const Event& a, const Event& b) {
    CHECK(a.story == b.story);
    CHECK(a.seq == b.seq);
    CHECK(a.op == b.op);
    CHECK(a.entry_id == b.entry_id);
    REQUIRE(a.entry.has_value() == b.entry.has_value());
    if (a.entry) check_same(*a.entry, *b.entry);
    REQUIRE(a.story_state.has_value() == b.story_state.has_value());
    if (a.story_state) check_same(*a.story_state, *b.story_state);
}

std::vector<Seq> event_seqs(const std::vector<Event>& events) {
    std::vector<Seq> out;
    for (const auto& e : events) out.push_back(e.seq);
    return out;
}

std::vector<Seq> seqs_from(Seq first, Seq last) {
    std::vector<Seq> out;
    for (Seq s = first; s <= last; ++s) out.push_back(s);
    return out;
}

// The next pub/sub message on a subscribed connection: (channel, payload).
std::pair<std::string, std::string> next_message(redis::Connection& subscriber) {
    redis::Value reply;
    while (!subscriber.next_reply(reply)) subscriber.read_available();  // blocks up to the timeout
    REQUIRE(reply.type == redis::Value::Type::array);
    REQUIRE(reply.size() == 3);
    REQUIRE(reply[0].str == "message");
    return {reply[1].str, reply[2].str};
}

}  // namespace

TEST_CASE("redis codec: every field round-trips - malformed data is a StoreFailure", "[store][redis]") {
    Story story;
    story.id = "s";
    story.title = "Présidentielle « 2027 »";
    story.summary = "Résumé";
    story.lang = "fr-FR";
    story.status = StoryStatus::paused;
    story.created_at = -5;
    story.updated_at = kNow;
    story.seq = (Seq{1} << 60) + 1;  // past a double's precision: stored as an exact integer
    story.epoch = "0a1b2c3d";
    story.meta_seq = 7;
    story.lead_image = {{"src", "https://example.org/a.jpg"}, {"alt", "A"}};
    story.related = nlohmann::json::array({{{"title", "T"}, {"url", "https://example.org/t"}}});

    Entry entry;
    entry.id = "01entry";
    entry.story = "s";
    entry.version = 4'000'000'000;
    entry.published_at = kNow;
    entry.updated_at = kNow + 1;
    entry.author = "Camille Dupré";
    entry.title = "";  // an empty title is not "no title"
    entry.key_event = true;
    entry.pinned = true;
    entry.deleted = true;
    entry.blocks = nlohmann::json::array({{{"type", "quote"}, {"text", "🎉"}, {"cite", nullptr}}});
    entry.created_seq = 3;
    entry.modified_seq = Seq{1} << 62;
    entry.idempotency_key = "key:with:colons";

    check_same(redis::story_from_json(redis::story_to_json(story)), story);
    check_same(redis::parse_story(redis::story_to_json(story).dump()), story);
    check_same(redis::parse_entry(redis::entry_to_json(entry).dump()), entry);
    Entry untitled = entry;
    untitled.title.reset();
    check_same(redis::parse_entry(redis::entry_to_json(untitled).dump()), untitled);

    Event updated;
    updated.story = "s";
    updated.seq = 9;
    updated.op = EventOp::story_updated;
    updated.story_state = story;
    Event created;
    created.story = "s";
    created.seq = 3;
    created.op = EventOp::entry_created;
    created.entry = entry;
    Event deleted;
    deleted.story = "s";
    deleted.seq = 10;
    deleted.op = EventOp::entry_deleted;
    deleted.entry_id = "01entry";
    for (const Event& e : {updated, created, deleted}) check_same(redis::parse_event(redis::event_to_json(e).dump()), e);

    CHECK_THROWS_AS(redis::parse_story("not json"), StoreFailure);
    CHECK_THROWS_AS(redis::story_from_json(nlohmann::json::array()), StoreFailure);
    auto broken = [](nlohmann::json j, const char* field, nlohmann::json value) {
        if (value.is_null())
            j.erase(field);
        else
            j[field] = std::move(value);
        return j;
    };
    auto story_json = redis::story_to_json(story);
    CHECK_THROWS_AS(redis::story_from_json(broken(story_json, "epoch", nullptr)), StoreFailure);
    CHECK_THROWS_AS(redis::story_from_json(broken(story_json, "seq", -1)), StoreFailure);
    CHECK_THROWS_AS(redis::story_from_json(broken(story_json, "seq", 1.5)), StoreFailure);
    CHECK_THROWS_AS(redis::story_from_json(broken(story_json, "status", "gone")), StoreFailure);
    auto entry_json = redis::entry_to_json(entry);
    CHECK_THROWS_AS(redis::entry_from_json(broken(entry_json, "version", Seq{1} << 32)), StoreFailure);
    CHECK_THROWS_AS(redis::entry_from_json(broken(entry_json, "pinned", "yes")), StoreFailure);
    CHECK_THROWS_AS(redis::entry_from_json(broken(entry_json, "blocks", nullptr)), StoreFailure);
    auto event_json = redis::event_to_json(created);
    CHECK_THROWS_AS(redis::event_from_json(broken(event_json, "op", "entry.exploded")), StoreFailure);
    CHECK_THROWS_AS(redis::event_from_json(broken(event_json, "entry", 42)), StoreFailure);
}

TEST_CASE("redis store: two nodes writing one story at once never share a seq nor lose an ack", "[store][redis]") {
    RedisFixture fx;
    REQUIRE(run(fx, create("s")).ok());
    auto second_node = fx.open();
    constexpr int kPostsPerNode = 200;

    // Catch2 assertions are not thread-safe: each node keeps its acks. With no
    // pause between writes, a node may lose max_write_attempts races in a row
    // and give up (rarely): that write is not acknowledged and must leave nothing.
    struct Node {
        RedisStore& store;
        std::vector<CommandResult> acks;
        int failed_writes = 0;
    };
    Node nodes[2] = {{*fx.impl, {}, 0}, {*second_node, {}, 0}};
    auto post_all = [](Node& node) {
        for (int i = 0; i < kPostsPerNode; ++i) {
            CommandResult r;
            try {
                node.store.write([&](StoreTxn& t) { r = apply_command(t, post("s"), kNow + i); });
            } catch (const StoreFailure&) {
                ++node.failed_writes;
                continue;
            }
            node.acks.push_back(r);
        }
    };
    std::thread a(post_all, std::ref(nodes[0]));
    std::thread b(post_all, std::ref(nodes[1]));
    a.join();
    b.join();

    std::set<Seq> seqs;
    std::map<std::string, Seq> acked;  // entry id -> seq in its ack
    for (const Node& node : nodes) {
        CHECK(node.acks.size() + node.failed_writes == kPostsPerNode);
        CHECK(node.acks.size() > kPostsPerNode / 2);
        for (const auto& r : node.acks) {
            REQUIRE(r.ok());
            CHECK(seqs.insert(r.seq).second);
            acked[r.entry_id] = r.seq;
        }
    }
    const Seq total = acked.size();
    CHECK(story_seq(fx.store(), "s") == total);
    CHECK(std::vector<Seq>(seqs.begin(), seqs.end()) == seqs_from(1, total));

    auto stored = fx.store().changed_since("s", 0, kAll);
    CHECK(stored.size() == total);
    for (const auto& e : stored) {
        auto it = acked.find(e.id);
        REQUIRE(it != acked.end());
        CHECK(e.created_seq == it->second);
    }
    CHECK(event_seqs(fx.impl->events_since("s", 0, kAll)) == seqs_from(1, total));
}

TEST_CASE("redis store: an idempotency key retried on another node returns the same entry", "[store][redis]") {
    RedisFixture fx;
    REQUIRE(run(fx, create("s")).ok());
    auto second_node = fx.open();
    auto first = run(fx, post("s", "key-1"));
    REQUIRE(first.ok());

    auto retry = run_on(*second_node, post("s", "key-1"), kNow + 1000);
    REQUIRE(retry.ok());
    CHECK(retry.duplicate);
    CHECK(retry.entry_id == first.entry_id);
    CHECK(retry.seq == first.seq);
    CHECK(story_seq(*second_node, "s") == 1);

    // The same key posted on both nodes at once: one entry, and every ack
    // names it. (A write that gave up on conflicts has no ack: see above.)
    constexpr int kKeys = 30;
    std::vector<std::optional<CommandResult>> acks[2];
    auto post_keys = [](RedisStore& store, std::vector<std::optional<CommandResult>>& out) {
        for (int i = 0; i < kKeys; ++i) {
            try {
                out.push_back(run_on(store, post("s", "race-" + std::to_string(i))));
            } catch (const StoreFailure&) {
                out.emplace_back();
            }
        }
    };
    std::thread a(post_keys, std::ref(*fx.impl), std::ref(acks[0]));
    std::thread b(post_keys, std::ref(*second_node), std::ref(acks[1]));
    a.join();
    b.join();
    std::size_t keys_acked = 0;
    for (int i = 0; i < kKeys; ++i) {
        const auto& first_node = acks[0][i];
        const auto& other_node = acks[1][i];
        if (!first_node && !other_node) continue;
        ++keys_acked;
        for (const auto& ack : {first_node, other_node})
            if (ack) REQUIRE(ack->ok());
        if (first_node && other_node) {
            CHECK(first_node->entry_id == other_node->entry_id);
            CHECK(first_node->duplicate != other_node->duplicate);
        }
    }
    CHECK(keys_acked > kKeys / 2);
    auto entries = fx.store().changed_since("s", 0, kAll);
    CHECK(entries.size() == 1 + keys_acked);  // a write that gave up committed nothing
    std::set<std::string> keys;
    for (const auto& e : entries) CHECK(keys.insert(e.idempotency_key).second);
    CHECK(story_seq(fx.store(), "s") == entries.size());
}

TEST_CASE("redis store: a write that lost a race runs again on the new state", "[store][redis]") {
    RedisFixture fx;
    REQUIRE(run(fx, create("s")).ok());
    auto second_node = fx.open();

    int runs = 0;
    CommandResult result;
    fx.impl->write([&](StoreTxn& t) {
        ++runs;
        result = apply_command(t, post("s"), kNow);
        if (runs == 1) REQUIRE(run_on(*second_node, post("s")).ok());  // the other node commits first
    });
    CHECK(runs == 2);
    REQUIRE(result.ok());
    CHECK(result.seq == 2);
    CHECK(story_seq(fx.store(), "s") == 2);
    CHECK(fx.store().entries("s", 0, kAll).entries.size() == 2);

    // Always overtaken: it gives up, having changed nothing.
    runs = 0;
    CHECK_THROWS_WITH(fx.impl->write([&](StoreTxn& t) {
        ++runs;
        apply_command(t, post("s", "never"), kNow);
        run_on(*second_node, post("s"));
    }),
                      Catch::Contains("conflict"));
    CHECK(runs == RedisStore::max_write_attempts);
    CHECK(story_seq(fx.store(), "s") == 2 + RedisStore::max_write_attempts);
    CHECK_FALSE(run(fx, post("s", "never")).duplicate);
}

TEST_CASE("redis store: each event is a stream item, in seq order, and is published", "[store][redis]") {
    RedisFixture fx;
    redis::Connection subscriber(redis::parse_url(shared_redis().url()), std::chrono::seconds(2));
    subscriber.send({"SUBSCRIBE", fx.prefix + "events:s", fx.prefix + "stories"});
    while (!subscriber.flush()) {
    }
    for (int confirmations = 0; confirmations < 2;) {
        redis::Value reply;
        if (!subscriber.next_reply(reply)) {
            subscriber.read_available();
            continue;
        }
        REQUIRE(reply[0].str == "subscribe");
        ++confirmations;
    }

    auto created = run(fx, create("s"));
    REQUIRE(created.ok());
    std::vector<CommandResult> results;
    fx.store().write([&](StoreTxn& t) {
        results.clear();
        results.push_back(apply_command(t, post("s"), kNow));
        results.push_back(apply_command(t, post("s", "k"), kNow));
        results.push_back(apply_command(t, edit("s", results[0].entry_id, 1), kNow));
        results.push_back(apply_command(t, pin("s", results[1].entry_id), kNow));
        results.push_back(apply_command(t, set_status("s", StoryStatus::paused), kNow));
        results.push_back(apply_command(t, remove("s", results[0].entry_id), kNow));
    });
    std::vector<Event> made;
    for (const auto& r : results) {
        REQUIRE(r.ok());
        REQUIRE(r.event);
        made.push_back(*r.event);
    }

    auto events = fx.impl->events_since("s", 0, kAll);
    CHECK(event_seqs(events) == seqs_from(1, 6));
    REQUIRE(events.size() == made.size());
    for (std::size_t i = 0; i < events.size(); ++i) check_same(events[i], made[i]);
    CHECK(event_seqs(fx.impl->events_since("s", 2, 2)) == std::vector<Seq>{3, 4});
    CHECK(fx.impl->events_since("s", 6, kAll).empty());
    CHECK(fx.impl->events_since("s", 0, 0).empty());
    CHECK(fx.impl->events_since("ghost", 0, kAll).empty());

    // Published: the new story, then the batch's events in order, then its story.
    auto story_message = next_message(subscriber);
    CHECK(story_message.first == fx.prefix + "stories");
    CHECK(story_message.second == redis::story_to_json(*created.story).dump());
    for (const Event& e : made) {
        auto [channel, payload] = next_message(subscriber);
        CHECK(channel == fx.prefix + "events:s");
        CHECK(payload == redis::event_to_json(e).dump());
    }
    auto batch_story = next_message(subscriber);
    CHECK(batch_story.first == fx.prefix + "stories");
    check_same(redis::parse_story(batch_story.second), *fx.store().story("s"));
}

TEST_CASE("redis store: the event stream keeps about stream_retention events", "[store][redis]") {
    RedisFixture fx;
    RedisStore::Options options;
    options.stream_retention = 10;
    RedisStore store(redis::parse_url(shared_redis().url()), fx.prefix, options);
    REQUIRE(run_on(store, create("s")).ok());
    constexpr Seq kPosts = 300;
    store.write([&](StoreTxn& t) {
        for (Seq i = 0; i < kPosts; ++i) REQUIRE(apply_command(t, post("s"), kNow).ok());
    });
    auto kept = store.events_since("s", 0, kAll);
    REQUIRE_FALSE(kept.empty());
    CHECK(kept.front().seq > 1);  // trimmed (in whole stream nodes, hence "about")
    CHECK(kept.size() < kPosts);
    CHECK(event_seqs(kept) == seqs_from(kept.front().seq, kPosts));
    CHECK(store.changed_since("s", 0, kAll).size() == kPosts);  // entries are never trimmed

    options.stream_retention = 0;
    CHECK_THROWS_AS(RedisStore(redis::parse_url(shared_redis().url()), fx.prefix, options), std::invalid_argument);
}

TEST_CASE("redis store: Redis down fails writes and reads, and costs nothing acknowledged", "[store][redis]") {
    test::RedisServer server;  // its own: this test kills it
    RedisStore store(redis::parse_url(server.url()), "liveblog:");
    REQUIRE(run_on(store, create("s")).ok());
    REQUIRE(run_on(store, post("s", "k1")).ok());
    REQUIRE(run_on(store, post("s")).ok());
    auto before_story = *store.story("s");
    auto before_entries = store.changed_since("s", 0, kAll);
    CHECK(store.healthy());

    // Killed while a batch is in fn: its commit cannot reach Redis.
    CHECK_THROWS_AS(store.write([&](StoreTxn& t) {
        REQUIRE(apply_command(t, post("s", "k2"), kNow).ok());
        REQUIRE(apply_command(t, create("new"), kNow).ok());
        server.kill9();
        REQUIRE(apply_command(t, post("new"), kNow).ok());
    }),
                    StoreFailure);
    CHECK_FALSE(store.healthy());
    CHECK_THROWS_AS(run_on(store, post("s")), StoreFailure);
    CHECK_THROWS_AS(store.story("s"), StoreFailure);
    CHECK_THROWS_AS(store.snapshot("s", 10, 10), StoreFailure);

    server.restart();  // the AOF brings back what was acknowledged, and only that
    CHECK(store.healthy());
    check_same(*store.story("s"), before_story);
    check_same(store.changed_since("s", 0, kAll), before_entries);
    CHECK_FALSE(store.story("new"));
    CHECK(event_seqs(store.events_since("s", 0, kAll)) == std::vector<Seq>{1, 2});

    auto retry = run_on(store, post("s", "k2"));
    REQUIRE(retry.ok());
    CHECK_FALSE(retry.duplicate);
    CHECK(retry.seq == 3);
    auto first = run_on(store, post("s", "k1"));
    CHECK(first.duplicate);
    CHECK(first.seq == 1);
}
