// Records (store/store.hpp): the same suite against every store.

#include <catch2/catch.hpp>

#include "core/command_rules.hpp"
#include "store/store_fixtures.hpp"

using namespace liveblog;

namespace {

Record rec(std::string key, std::string group, std::string body = R"({"v":1})") {
    return Record{std::move(key), std::move(group), std::move(body)};
}

std::vector<std::string> keys_of(const std::vector<Record>& rs) {
    std::vector<std::string> out;
    for (auto& r : rs) out.push_back(r.key);
    return out;
}

RecordQuery group_query(std::string group, std::string after = {}, std::size_t limit = 100, bool descending = false) {
    return RecordQuery{"sessions", std::move(group), std::move(after), limit, descending};
}

}  // namespace

STORE_TEST("records: saved, found by key, replaced, deleted - and kept across a reopen") {
    TestType fx;
    const std::string body = R"({"email":"léa@example.org","name":"Léa « L » 🎉"})";
    fx.store().write([&](StoreTxn& t) {
        CHECK_FALSE(t.load_record("users", "u1"));
        t.save_record("users", rec("u1", "", body));
        // A transaction sees its own saves and deletions.
        REQUIRE(t.load_record("users", "u1"));
        CHECK(t.load_record("users", "u1")->body == body);
        t.save_record("users", rec("u2", "g"));
        t.delete_record("users", "u2");
        CHECK_FALSE(t.load_record("users", "u2"));
        t.delete_record("users", "never-there");
    });
    REQUIRE(fx.store().record("users", "u1"));
    CHECK(*fx.store().record("users", "u1") == rec("u1", "", body));
    CHECK_FALSE(fx.store().record("users", "u2"));
    // Same key in another collection: another record.
    CHECK_FALSE(fx.store().record("tokens", "u1"));

    fx.store().write([&](StoreTxn& t) { t.save_record("users", rec("u1", "admins", R"({"v":2})")); });
    CHECK(fx.store().record("users", "u1")->body == R"({"v":2})");
    CHECK(fx.store().record("users", "u1")->group == "admins");

    fx.reopen();
    CHECK(fx.store().record("users", "u1")->body == R"({"v":2})");
    fx.store().write([&](StoreTxn& t) { t.delete_record("users", "u1"); });
    CHECK_FALSE(fx.store().record("users", "u1"));
    fx.reopen();
    CHECK_FALSE(fx.store().record("users", "u1"));
}

STORE_TEST("records: listed by group in key order - both ways - from a cursor") {
    TestType fx;
    fx.store().write([&](StoreTxn& t) {
        for (auto k : {"c", "a", "e", "b", "d"}) t.save_record("sessions", rec(k, "alice"));
        t.save_record("sessions", rec("z", "bob"));
        t.save_record("sessions", rec("zz", "alicex"));  // a group whose name extends "alice"
        t.save_record("tokens", rec("y", "alice"));       // another collection
    });
    using V = std::vector<std::string>;
    CHECK(keys_of(fx.store().records(group_query("alice"))) == V{"a", "b", "c", "d", "e"});
    CHECK(keys_of(fx.store().records(group_query("alice", "b"))) == V{"c", "d", "e"});
    CHECK(keys_of(fx.store().records(group_query("alice", "b", 2))) == V{"c", "d"});
    CHECK(keys_of(fx.store().records(group_query("alice", "", 100, true))) == V{"e", "d", "c", "b", "a"});
    CHECK(keys_of(fx.store().records(group_query("alice", "d", 2, true))) == V{"c", "b"});
    CHECK(keys_of(fx.store().records(group_query("alice", "a", 100, true))).empty());
    CHECK(keys_of(fx.store().records(group_query("alice", "e"))).empty());
    CHECK(keys_of(fx.store().records(group_query("alice", "", 0))).empty());
    CHECK(keys_of(fx.store().records(group_query("bob"))) == V{"z"});
    CHECK(keys_of(fx.store().records(group_query("nobody"))).empty());

    // A record whose group changes moves to the new group's list; a deleted one leaves its list.
    fx.store().write([&](StoreTxn& t) {
        t.save_record("sessions", rec("c", "bob"));
        t.delete_record("sessions", "a");
    });
    CHECK(keys_of(fx.store().records(group_query("alice"))) == V{"b", "d", "e"});
    CHECK(keys_of(fx.store().records(group_query("bob"))) == V{"c", "z"});
    // Bodies come back with their records.
    auto bob = fx.store().records(group_query("bob"));
    CHECK(bob[0] == rec("c", "bob"));
}

STORE_TEST("records: a failed write keeps none of its records - nor its entries") {
    TestType fx;
    fx.store().write([&](StoreTxn& t) { t.save_record("users", rec("u1", "", R"({"v":1})")); });

    fx.fail_next_write();
    CHECK_THROWS_AS(fx.store().write([&](StoreTxn& t) {
        t.save_record("users", rec("u1", "", R"({"v":2})"));
        t.save_record("users", rec("u9", ""));
        t.delete_record("users", "u1");
    }),
                    StoreFailure);
    CHECK(fx.store().record("users", "u1")->body == R"({"v":1})");
    CHECK_FALSE(fx.store().record("users", "u9"));

    // A record no store keeps fails the whole write, even if fn swallows the error.
    CreateStory c;
    c.id = "s";
    c.title = "T";
    c.lang = "fr";
    CHECK_THROWS_AS(fx.store().write([&](StoreTxn& t) {
        REQUIRE(apply_command(t, c, 1'790'000'000'000).ok());
        try {
            t.save_record("users", rec("", ""));
        } catch (const StoreFailure&) {
        }
    }),
                    StoreFailure);
    CHECK_FALSE(fx.store().story("s"));
    CHECK_THROWS_AS(fx.store().write([&](StoreTxn& t) { t.save_record("Bad Name", rec("k", "")); }), StoreFailure);
    CHECK_THROWS_AS(fx.store().write([&](StoreTxn& t) { t.save_record("users", rec(std::string(513, 'k'), "")); }),
                    StoreFailure);
    CHECK_NOTHROW(fx.store().write([&](StoreTxn& t) { t.save_record("users", rec(std::string(512, 'k'), "")); }));
}

STORE_TEST("records: commit together with stories and entries") {
    TestType fx;
    CreateStory c;
    c.id = "ensemble";
    c.title = "T";
    c.lang = "fr";
    fx.store().write([&](StoreTxn& t) {
        REQUIRE(apply_command(t, c, 1'790'000'000'000).ok());
        t.save_record("revisions", rec("ensemble/1", "ensemble"));
    });
    CHECK(fx.store().story("ensemble"));
    CHECK(fx.store().record("revisions", "ensemble/1"));
}

TEST_CASE("redis store: a write that read a record another node changed runs again", "[store][redis]") {
    RedisFixture fx;
    auto second_node = fx.open();
    fx.store().write([&](StoreTxn& t) { t.save_record("users", rec("u1", "", R"({"n":0})")); });

    int runs = 0;
    fx.impl->write([&](StoreTxn& t) {
        ++runs;
        auto seen = t.load_record("users", "u1");
        REQUIRE(seen);
        int n = nlohmann::json::parse(seen->body)["n"];
        if (runs == 1)  // the other node commits in between
            second_node->write([&](StoreTxn& o) { o.save_record("users", rec("u1", "", R"({"n":10})")); });
        t.save_record("users", rec("u1", "", nlohmann::json{{"n", n + 1}}.dump()));
    });
    CHECK(runs == 2);
    CHECK(fx.store().record("users", "u1")->body == R"({"n":11})");

    // Absence is a read too: two nodes creating the same key, one wins and the other sees it.
    runs = 0;
    fx.impl->write([&](StoreTxn& t) {
        ++runs;
        bool exists = t.load_record("emails", "lea@example.org").has_value();
        if (runs == 1)
            second_node->write([&](StoreTxn& o) { o.save_record("emails", rec("lea@example.org", "", "\"u2\"")); });
        if (!exists) t.save_record("emails", rec("lea@example.org", "", "\"u3\""));
    });
    CHECK(runs == 2);
    CHECK(fx.store().record("emails", "lea@example.org")->body == "\"u2\"");
}
