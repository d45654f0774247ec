// Readers on /ws against the real server: snapshots, live order, resume.
#include <catch2/catch.hpp>

#include <set>

#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {

bool is_event(const json& m) { return m.value("type", "") == "event"; }

json subscribe(WsClient& r, const std::string& story, std::optional<std::uint64_t> since = {},
               std::optional<std::string> epoch = {}) {
    json m{{"type", "subscribe"}, {"story", story}};
    if (since) m["since"] = *since;
    if (epoch) m["epoch"] = *epoch;
    r.send(m);
    return m;
}

// Reads until `subscribed`, returning what came before it (presence skipped).
std::vector<json> catch_up(WsClient& r, json* subscribed = nullptr) {
    std::vector<json> out;
    for (;;) {
        json m = r.recv();
        auto type = m.value("type", "");
        if (type == "subscribed") {
            if (subscribed) *subscribed = m;
            return out;
        }
        if (type != "presence") out.push_back(m);
    }
}

}  // namespace

TEST_CASE("a new reader gets a snapshot: newest 20 entries - pinned - has_more") {
    ServerProcess server;
    Editor editor(server.port());
    REQUIRE(editor.create_story("soir-electoral")["type"] == "ack");
    std::string first_id;
    for (int i = 1; i <= 25; ++i) {
        json ack = editor.post("soir-electoral", "Entrée n° " + std::to_string(i) + " « test » ✓");
        REQUIRE(ack["type"] == "ack");
        REQUIRE(ack["seq"] == i);
        if (i == 1) first_id = ack["entry_id"];
    }
    REQUIRE(editor.command({{"type", "pin_entry"}, {"story", "soir-electoral"}, {"entry_id", first_id}})["seq"] == 26);

    WsClient reader(server.port());
    subscribe(reader, "soir-electoral");
    json subscribed;
    auto msgs = catch_up(reader, &subscribed);
    REQUIRE(msgs.size() == 1);
    json snap = msgs[0];
    CHECK(snap["type"] == "snapshot");
    CHECK(snap["story"]["id"] == "soir-electoral");
    CHECK(snap["story"]["seq"] == 26);
    CHECK(snap["story"]["status"] == "live");
    CHECK_FALSE(snap["story"]["epoch"].get<std::string>().empty());
    REQUIRE(snap["entries"].size() == 20);
    CHECK(snap["entries"][0]["blocks"][0]["text"] == "Entrée n° 25 « test » ✓");  // newest first
    CHECK(snap["entries"][19]["blocks"][0]["text"] == "Entrée n° 6 « test » ✓");
    CHECK(snap["has_more"] == true);
    REQUIRE(snap["pinned"].size() == 1);
    CHECK(snap["pinned"][0]["id"] == first_id);
    CHECK(snap["pinned"][0]["pinned"] == true);
    CHECK(subscribed["seq"] == 26);
    CHECK(subscribed["mode"] == "snapshot");
    CHECK(subscribed["epoch"] == snap["story"]["epoch"]);
}

TEST_CASE("200 events arrive in order - once - at every subscriber") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("direct");
    std::vector<std::unique_ptr<WsClient>> readers;
    for (int i = 0; i < 5; ++i) {
        readers.push_back(std::make_unique<WsClient>(server.port()));
        subscribe(*readers.back(), "direct");
        catch_up(*readers.back());
    }
    // Pipelined: 200 commands in flight, then their acks.
    for (int i = 1; i <= 200; ++i)
        editor.ws().send({{"type", "post_entry"}, {"story", "direct"}, {"request_id", i},
                          {"blocks", text_blocks("n" + std::to_string(i))}});
    std::set<std::uint64_t> acked;
    for (int i = 1; i <= 200; ++i) {
        json ack = editor.ws().recv_type("ack");
        acked.insert(ack["seq"].get<std::uint64_t>());
    }
    CHECK(acked.size() == 200);
    for (auto& r : readers) {
        for (std::uint64_t seq = 1; seq <= 200; ++seq) {
            json e = r->recv_until(is_event);
            REQUIRE(e["seq"] == seq);
            CHECK(e["op"] == "entry.created");
            CHECK(e["entry"]["blocks"][0]["text"] == "n" + std::to_string(seq));
        }
        CHECK(r->no_event_within(200ms));
    }
}

TEST_CASE("resume with since gets exactly the missed events - compacted") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("reprise");
    for (int i = 1; i <= 10; ++i) editor.post("reprise", "avant " + std::to_string(i));

    std::string epoch;
    {
        WsClient reader(server.port());
        subscribe(reader, "reprise");
        auto msgs = catch_up(reader);
        epoch = msgs.at(0)["story"]["epoch"];
    }

    SECTION("new entries only: N+1..latest, no gap, no duplicate") {
        for (int i = 11; i <= 20; ++i) editor.post("reprise", "pendant " + std::to_string(i));
        WsClient reader(server.port());
        subscribe(reader, "reprise", 10, epoch);
        json subscribed;
        auto msgs = catch_up(reader, &subscribed);
        REQUIRE(msgs.size() == 10);
        for (std::size_t i = 0; i < msgs.size(); ++i) {
            CHECK(msgs[i]["type"] == "event");
            CHECK(msgs[i]["seq"] == 11 + i);
        }
        CHECK(subscribed["seq"] == 20);
        CHECK(subscribed["mode"] == "replay_memory");
    }

    SECTION("up to date: nothing to replay") {
        WsClient reader(server.port());
        subscribe(reader, "reprise", 10, epoch);
        json subscribed;
        CHECK(catch_up(reader, &subscribed).empty());
        CHECK(subscribed["mode"] == "up_to_date");
    }

    SECTION("edits in between: the latest version of each entry, once") {
        json a = editor.post("reprise", "A v1");                                                  // 11
        json b = editor.post("reprise", "B v1");                                                  // 12
        editor.command({{"type", "update_entry"}, {"story", "reprise"}, {"entry_id", a["entry_id"]},
                        {"expected_version", 1}, {"blocks", text_blocks("A v2")}});              // 13
        editor.command({{"type", "update_entry"}, {"story", "reprise"}, {"entry_id", a["entry_id"]},
                        {"expected_version", 2}, {"blocks", text_blocks("A v3")}});              // 14
        editor.command({{"type", "delete_entry"}, {"story", "reprise"}, {"entry_id", b["entry_id"]}});  // 15
        json c = editor.post("reprise", "C v1");                                                  // 16

        WsClient reader(server.port());
        subscribe(reader, "reprise", 10, epoch);
        json subscribed;
        auto msgs = catch_up(reader, &subscribed);
        CHECK(subscribed["seq"] == 16);
        // A once (its latest version), B's deletion, C: in seq order.
        REQUIRE(msgs.size() == 3);
        CHECK(msgs[0]["seq"] == 14);
        CHECK(msgs[0]["entry"]["id"] == a["entry_id"]);
        CHECK(msgs[0]["entry"]["version"] == 3);
        CHECK(msgs[0]["entry"]["blocks"][0]["text"] == "A v3");
        CHECK(msgs[1]["seq"] == 15);
        CHECK(msgs[1]["op"] == "entry.deleted");
        CHECK(msgs[1]["entry_id"] == b["entry_id"]);
        CHECK(msgs[2]["seq"] == 16);
        CHECK(msgs[2]["entry"]["id"] == c["entry_id"]);

        SECTION("and the same from the store after a restart (no events in memory)") {
            server.terminate();
            server.start();
            WsClient again(server.port());
            subscribe(again, "reprise", 10, epoch);
            json sub2;
            auto replay = catch_up(again, &sub2);
            CHECK(sub2["mode"] == "replay_store");
            CHECK(sub2["seq"] == 16);
            // From the store, an entry created after `since` and since deleted is not sent at all:
            // the reader never had it.
            REQUIRE(replay.size() == 2);
            CHECK(replay[0]["seq"] == 14);
            CHECK(replay[0]["op"] == "entry.created");
            CHECK(replay[0]["entry"]["version"] == 3);
            CHECK(replay[1]["seq"] == 16);
            CHECK(replay[1]["entry"]["id"] == c["entry_id"]);
        }
    }
}

TEST_CASE("resume that cannot be replayed gets a snapshot") {
    ServerProcess server({"--ring-capacity", "8", "--max-replay", "10"});
    Editor editor(server.port());
    editor.create_story("vieux");
    for (int i = 1; i <= 30; ++i) editor.post("vieux", "e" + std::to_string(i));
    std::string epoch;
    {
        WsClient r(server.port());
        subscribe(r, "vieux");
        epoch = catch_up(r).at(0)["story"]["epoch"];
    }
    auto expect_snapshot = [&](std::optional<std::uint64_t> since, std::optional<std::string> ep) {
        WsClient r(server.port());
        subscribe(r, "vieux", since, ep);
        json subscribed;
        auto msgs = catch_up(r, &subscribed);
        REQUIRE(msgs.size() == 1);
        CHECK(msgs[0]["type"] == "snapshot");
        CHECK(msgs[0]["story"]["seq"] == 30);
        CHECK(subscribed["mode"] == "snapshot");
    };
    SECTION("gap older than memory and longer than max_replay") { expect_snapshot(1, epoch); }
    SECTION("another epoch") { expect_snapshot(25, std::string("deadbeef")); }
    SECTION("a seq from the future") { expect_snapshot(99, epoch); }
    SECTION("a gap older than memory but short enough replays from the store") {
        WsClient r(server.port());
        subscribe(r, "vieux", 21, epoch);
        json subscribed;
        auto msgs = catch_up(r, &subscribed);
        CHECK(subscribed["mode"] == "replay_store");
        REQUIRE(msgs.size() == 9);
        for (std::size_t i = 0; i < 9; ++i) CHECK(msgs[i]["seq"] == 22 + i);
    }
}

TEST_CASE("one connection follows several stories - unsubscribe stops one") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("un");
    editor.create_story("deux");
    WsClient r(server.port());
    subscribe(r, "un");
    catch_up(r);
    subscribe(r, "deux");
    catch_up(r);
    editor.post("un", "pour un");
    editor.post("deux", "pour deux");
    json e1 = r.recv_until(is_event);
    json e2 = r.recv_until(is_event);
    CHECK(e1["story"] == "un");
    CHECK(e2["story"] == "deux");
    r.send({{"type", "unsubscribe"}, {"story", "un"}});
    CHECK(r.recv_type("unsubscribed")["story"] == "un");
    editor.post("un", "plus pour toi");
    editor.post("deux", "encore deux");
    json e3 = r.recv_until(is_event);
    CHECK(e3["story"] == "deux");
    CHECK(e3["seq"] == 2);
    r.send({{"type", "ping"}});
    CHECK(r.recv_type("pong")["type"] == "pong");
}

TEST_CASE("presence counts viewers - throttled and only on change") {
    ServerProcess server({"--presence-interval-s", "0.2"});
    Editor editor(server.port());
    editor.create_story("foule");
    WsClient a(server.port()), b(server.port());
    subscribe(a, "foule");
    catch_up(a);
    subscribe(b, "foule");
    catch_up(b);
    json p = a.recv_until([](const json& m) { return m["type"] == "presence" && m["viewers"] == 2; }, 3s);
    CHECK(p["story"] == "foule");
    CHECK(a.quiet_for(600ms));  // no change, no message
    b.close();
    json p2 = a.recv_type("presence", 3s);
    CHECK(p2["viewers"] == 1);
}
