// Editors on /admin/ws against the real server: auth, commands, acks, conflicts.
#include <catch2/catch.hpp>

#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {
bool is_event(const json& m) { return m.value("type", "") == "event"; }

std::unique_ptr<WsClient> follow(unsigned short port, const std::string& story) {
    auto r = std::make_unique<WsClient>(port);
    r->send({{"type", "subscribe"}, {"story", story}});
    r->recv_type("subscribed");
    return r;
}
}  // namespace

TEST_CASE("editor authentication: header - message - and every way to fail") {
    ServerProcess server({"--auth-timeout-s", "0.5"});

    SECTION("token in the Authorization header") {
        Editor e(server.port());
        CHECK(e.create_story("par-entete")["type"] == "ack");
    }
    SECTION("token in an auth message") {
        Editor e(server.port(), make_token("marie", "admin"), false);
        CHECK(e.create_story("par-message")["type"] == "ack");
    }
    SECTION("a bad header token is refused before the upgrade with 401") {
        try {
            WsClient ws(server.port(), {"/admin/ws", "not.a.token"});
            FAIL("upgrade accepted");
        } catch (const UpgradeRefused& r) {
            CHECK(r.status == 401);
            CHECK(json::parse(r.body)["error"]["code"] == "unauthorized");
        }
    }
    SECTION("an expired header token: 401 token_expired") {
        try {
            WsClient ws(server.port(), {"/admin/ws", make_token("old", "editor", {}, -10)});
            FAIL("upgrade accepted");
        } catch (const UpgradeRefused& r) {
            CHECK(r.status == 401);
            CHECK(json::parse(r.body)["error"]["code"] == "token_expired");
        }
    }
    SECTION("auth message failures keep the connection, then close it after three") {
        WsClient ws(server.port(), {"/admin/ws"});
        ws.send({{"type", "create_story"}, {"request_id", 1}, {"story", "x"}, {"title", "x"}});
        json r1 = ws.recv();
        CHECK(r1["code"] == "unauthorized");
        CHECK(r1["request_id"] == 1);
        ws.send({{"type", "auth"}, {"token", make_token("old", "editor", {}, -10)}});
        CHECK(ws.recv()["code"] == "token_expired");
        std::string forged = make_token("eve", "admin");
        forged.back() = forged.back() == 'A' ? 'B' : 'A';
        ws.send({{"type", "auth"}, {"token", forged}});
        CHECK(ws.recv()["code"] == "unauthorized");
        ws.send({{"type", "auth"}, {"token", 42}});
        CHECK(ws.recv()["code"] == "bad_request");
        CHECK(ws.wait_closed() == 4001);
    }
    SECTION("no auth in time: closed with 4002") {
        WsClient ws(server.port(), {"/admin/ws"});
        CHECK(ws.recv(3s)["code"] == "unauthorized");
        CHECK(ws.wait_closed() == 4002);
    }
    SECTION("scope: a scoped editor acts only on its stories and creates none") {
        Editor admin(server.port());
        admin.create_story("a-moi");
        admin.create_story("pas-a-moi");
        Editor scoped(server.port(), make_token("pierre", "editor", {"a-moi"}));
        CHECK(scoped.post("a-moi", "ok")["type"] == "ack");
        json denied = scoped.post("pas-a-moi", "non");
        CHECK(denied["type"] == "error");
        CHECK(denied["code"] == "forbidden");
        CHECK(scoped.create_story("nouvelle")["code"] == "forbidden");
    }
}

TEST_CASE("post_entry with an idempotency key: a retry returns the first ack and creates nothing") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("idem");
    auto reader = follow(server.port(), "idem");
    json first = editor.post("idem", "une seule fois", "key-123");
    json retry = editor.post("idem", "une seule fois", "key-123");
    REQUIRE(first["type"] == "ack");
    CHECK(retry["type"] == "ack");
    CHECK(retry["seq"] == first["seq"]);
    CHECK(retry["entry_id"] == first["entry_id"]);
    CHECK(retry["duplicate"] == true);
    CHECK_FALSE(first.contains("duplicate"));
    CHECK(reader->recv_until(is_event)["seq"] == 1);
    json other = editor.post("idem", "autre", "key-456");
    CHECK(other["seq"] == 2);
    CHECK(reader->recv_until(is_event)["seq"] == 2);  // nothing in between

    SECTION("also after a restart") {
        server.terminate();
        server.start();
        Editor again(server.port());
        json after = again.post("idem", "une seule fois", "key-123");
        CHECK(after["seq"] == first["seq"]);
        CHECK(after["entry_id"] == first["entry_id"]);
        CHECK(after["duplicate"] == true);
    }
}

TEST_CASE("update_entry with a stale expected_version gets version_conflict") {
    ServerProcess server;
    Editor alice(server.port(), make_token("alice", "editor"));
    Editor bob(server.port(), make_token("bob", "editor"));
    Editor(server.port()).create_story("conflit");  // stories are an admin's to create
    json posted = alice.post("conflit", "v1");
    auto reader = follow(server.port(), "conflit");
    json upd = {{"type", "update_entry"}, {"story", "conflit"}, {"entry_id", posted["entry_id"]},
                {"expected_version", 1}, {"blocks", text_blocks("v2 par alice")}};
    json a = alice.command(upd);
    CHECK(a["type"] == "ack");
    CHECK(a["version"] == 2);
    upd["blocks"] = text_blocks("v2 par bob");
    json b = bob.command(upd);
    CHECK(b["type"] == "error");
    CHECK(b["code"] == "version_conflict");
    CHECK(b["current_version"] == 2);
    json ev = reader->recv_until(is_event);
    CHECK(ev["op"] == "entry.updated");
    CHECK(ev["entry"]["blocks"][0]["text"] == "v2 par alice");
    CHECK(reader->no_event_within(200ms));  // bob's write never happened
}

TEST_CASE("delete - pin - unpin and story status reach readers - ended stories take no entries") {
    ServerProcess server;
    Editor editor(server.port());
    json created = editor.create_story("fin");
    CHECK(created["story"]["status"] == "live");
    json e1 = editor.post("fin", "premier");
    auto reader = follow(server.port(), "fin");

    CHECK(editor.command({{"type", "pin_entry"}, {"story", "fin"}, {"entry_id", e1["entry_id"]}})["version"] == 2);
    json pin = reader->recv_until(is_event);
    CHECK(pin["op"] == "entry.updated");
    CHECK(pin["entry"]["pinned"] == true);

    editor.command({{"type", "unpin_entry"}, {"story", "fin"}, {"entry_id", e1["entry_id"]}});
    CHECK(reader->recv_until(is_event)["entry"]["pinned"] == false);

    json st = editor.command({{"type", "update_story"}, {"story", "fin"}, {"status", "ended"}, {"title", "Terminé"}});
    CHECK(st["story"]["status"] == "ended");
    json su = reader->recv_until(is_event);
    CHECK(su["op"] == "story.updated");
    CHECK(su["story_state"]["status"] == "ended");
    CHECK(su["story_state"]["title"] == "Terminé");

    CHECK(editor.post("fin", "trop tard")["code"] == "story_ended");
    json del = editor.command({{"type", "delete_entry"}, {"story", "fin"}, {"entry_id", e1["entry_id"]}});
    CHECK(del["type"] == "ack");
    json de = reader->recv_until(is_event);
    CHECK(de["op"] == "entry.deleted");
    CHECK(de["entry_id"] == e1["entry_id"]);
    CHECK(editor.command({{"type", "delete_entry"}, {"story", "fin"}, {"entry_id", e1["entry_id"]}})["code"] ==
          "unknown_entry");
    CHECK(editor.create_story("fin")["code"] == "story_exists");
}

TEST_CASE("commands on one editor connection apply in the order sent") {
    ServerProcess server;
    Editor editor(server.port());
    // Sent back to back, without waiting for the first ack.
    editor.ws().send({{"type", "create_story"}, {"request_id", 1}, {"story", "en-rafale"}, {"title", "Rafale"}});
    editor.ws().send({{"type", "post_entry"}, {"request_id", 2}, {"story", "en-rafale"}, {"blocks", text_blocks("aussitôt")}});
    json first = editor.ws().recv_type("ack");
    json second = editor.ws().recv_until([](const json& m) { return m.value("request_id", 0) == 2; });
    CHECK(first["request_id"] == 1);
    CHECK(second["type"] == "ack");
    CHECK(second["seq"] == 1);
}

TEST_CASE("pinning a pinned entry changes nothing") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("epingle");
    json e = editor.post("epingle", "à épingler");
    auto reader = follow(server.port(), "epingle");
    json pin = {{"type", "pin_entry"}, {"story", "epingle"}, {"entry_id", e["entry_id"]}};
    json first = editor.command(pin);
    CHECK(first["version"] == 2);
    CHECK(reader->recv_until(is_event)["entry"]["pinned"] == true);
    json again = editor.command(pin);
    CHECK(again["type"] == "ack");
    CHECK(again["version"] == 2);  // no new version
    CHECK(again["seq"] == first["seq"]);
    CHECK(reader->no_event_within(300ms));  // and no event
}
