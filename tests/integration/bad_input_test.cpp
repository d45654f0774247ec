// Everything a client or an attacker can send wrong gets an error with a
// code, and nothing is stored half-way.
#include <catch2/catch.hpp>

#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {
json error_for(WsClient& ws, std::string_view raw, bool binary = false) {
    ws.send_raw(raw, binary);
    return ws.recv_type("error");
}

void still_open(WsClient& ws) {
    ws.send({{"type", "ping"}});
    CHECK(ws.recv_type("pong")["type"] == "pong");
}

json snapshot_of(unsigned short port, const std::string& story) {
    WsClient r(port);
    r.send({{"type", "subscribe"}, {"story", story}});
    return r.recv_type("snapshot");
}
}  // namespace

TEST_CASE("reader bad input: each gets an error code and the connection stays usable") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("propre");
    WsClient ws(server.port());

    CHECK(error_for(ws, R"({"type":)")["code"] == "invalid_json");
    CHECK(error_for(ws, "[1,2,3]")["code"] == "invalid_json");
    CHECK(error_for(ws, R"({"story":"propre"})")["code"] == "bad_request");                 // no type
    CHECK(error_for(ws, R"({"type":42})")["code"] == "bad_request");                        // wrong type
    CHECK(error_for(ws, R"({"type":"subscribe"})")["code"] == "bad_request");               // missing story
    CHECK(error_for(ws, R"({"type":"subscribe","story":7})")["code"] == "bad_request");
    CHECK(error_for(ws, R"({"type":"subscribe","story":"propre","since":"3"})")["code"] == "bad_request");
    CHECK(error_for(ws, R"({"type":"subscribe","story":"propre","since":-1})")["code"] == "bad_request");
    CHECK(error_for(ws, R"({"type":"subscribe","story":"Pas Un Slug!"})")["code"] == "invalid_slug");
    json unknown = error_for(ws, R"({"type":"subscribe","story":"inconnue"})");
    CHECK(unknown["code"] == "unknown_story");
    CHECK(unknown["story"] == "inconnue");  // names the subscription it answers
    CHECK(error_for(ws, R"({"type":"dance"})")["code"] == "unknown_type");
    CHECK(error_for(ws, "{\"type\":\"subscribe\",\"story\":\"\xff\xfe\"}", true)["code"] == "invalid_utf8");
    json e = error_for(ws, R"({"type":"dance"})");
    CHECK_FALSE(e["message"].get<std::string>().empty());
    still_open(ws);
}

TEST_CASE("protocol violations close the connection with the documented code") {
    ServerProcess server;
    SECTION("a text frame that is not UTF-8: 1007") {
        WsClient ws(server.port());
        ws.send_raw("{\"type\":\"ping\",\"x\":\"\xc3\x28\"}");
        CHECK(ws.wait_closed() == 1007);
    }
    SECTION("a message over the size limit: 1009") {
        WsClient ws(server.port());
        ws.send_raw(std::string(20000, ' '));
        CHECK(ws.wait_closed() == 1009);
    }
}

TEST_CASE("editor bad input: errors carry the request_id and nothing is stored") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("intacte");
    editor.post("intacte", "seule entrée");
    json before = snapshot_of(server.port(), "intacte");

    auto post_with = [&](json blocks) {
        return editor.command({{"type", "post_entry"}, {"story", "intacte"}, {"blocks", std::move(blocks)}});
    };
    CHECK(post_with(json::array({{{"type", "image"}, {"src", "javascript:alert(1)"}, {"alt", "x"}}}))["code"] ==
          "invalid_content");
    CHECK(post_with(json::array({{{"type", "embed"}, {"url", "data:text/html,hi"}}}))["code"] == "invalid_content");
    CHECK(post_with(json::array({{{"type", "text"}, {"text", "[clic](javascript:alert(1))"}}}))["code"] ==
          "invalid_content");
    CHECK(post_with(json::array({{{"type", "text"}, {"text", "   "}}}))["code"] == "invalid_content");
    CHECK(post_with(json::array())["code"] == "invalid_content");
    json many = json::array();
    for (int i = 0; i < 51; ++i) many.push_back({{"type", "text"}, {"text", "x"}});
    CHECK(post_with(many)["code"] == "invalid_content");
    CHECK(post_with(json::array({{{"type", "marquee"}, {"text", "x"}}}))["code"] == "invalid_content");
    CHECK(post_with("du texte")["code"] == "invalid_content");
    CHECK(editor.command({{"type", "post_entry"}, {"story", "intacte"}})["code"] == "bad_request");
    CHECK(editor.command({{"type", "post_entry"}, {"story", "nulle-part"}, {"blocks", text_blocks("x")}})["code"] ==
          "unknown_story");
    CHECK(editor.command({{"type", "post_entry"}, {"story", "../etc"}, {"blocks", text_blocks("x")}})["code"] ==
          "invalid_slug");
    CHECK(editor.command({{"type", "update_entry"}, {"story", "intacte"}, {"entry_id", "x"},
                          {"expected_version", "1"}, {"blocks", text_blocks("x")}})["code"] == "bad_request");
    CHECK(editor.command({{"type", "update_entry"}, {"story", "intacte"}, {"entry_id", "inconnue"},
                          {"expected_version", 1}, {"blocks", text_blocks("x")}})["code"] == "unknown_entry");
    CHECK(editor.command({{"type", "update_story"}, {"story", "intacte"}, {"status", "closed"}})["code"] ==
          "bad_request");
    CHECK(editor.command({{"type", "create_story"}, {"story", "ok-slug"}, {"title", ""}})["code"] == "invalid_content");
    CHECK(editor.command({{"type", "launch_rockets"}})["code"] == "unknown_type");
    editor.ws().send({{"type", "post_entry"}, {"story", "intacte"}, {"blocks", text_blocks("sans request_id")}});
    json no_id = editor.ws().recv_type("error");
    CHECK(no_id["code"] == "bad_request");

    json after = snapshot_of(server.port(), "intacte");
    CHECK(after["story"]["seq"] == before["story"]["seq"]);
    CHECK(after["entries"] == before["entries"]);
}

TEST_CASE("floods and limits: rate_limited - too_many_subscriptions - too_many_connections") {
    ServerProcess server({"--reader-messages-per-s", "1", "--reader-burst", "5", "--max-subscriptions", "2",
                           "--max-connections-per-ip", "4"});
    Editor editor(server.port());  // connection 1
    for (auto id : {"s-un", "s-deux", "s-trois"}) editor.create_story(id);

    SECTION("too many subscriptions") {
        WsClient ws(server.port());
        ws.send({{"type", "subscribe"}, {"story", "s-un"}});
        ws.recv_type("subscribed");
        ws.send({{"type", "subscribe"}, {"story", "s-deux"}});
        ws.recv_type("subscribed");
        ws.send({{"type", "subscribe"}, {"story", "s-trois"}});
        CHECK(ws.recv_type("error")["code"] == "too_many_subscriptions");
    }
    SECTION("a flood is answered with rate_limited, then closed with 4029") {
        WsClient ws(server.port());
        for (int i = 0; i < 5; ++i) ws.send({{"type", "ping"}});
        for (int i = 0; i < 5; ++i) CHECK(ws.recv()["type"] == "pong");
        ws.send({{"type", "ping"}});
        json limited = ws.recv();
        CHECK(limited["code"] == "rate_limited");
        CHECK(limited["retryable"] == true);
        for (int i = 0; i < 40; ++i) ws.send({{"type", "ping"}});
        CHECK(ws.wait_closed() == 4029);
    }
    SECTION("connections per IP") {
        WsClient a(server.port()), b(server.port()), c(server.port());  // 2..4
        try {
            WsClient d(server.port());
            FAIL("fifth connection accepted");
        } catch (const UpgradeRefused& r) {
            CHECK(r.status == 429);
            CHECK(json::parse(r.body)["error"]["code"] == "too_many_connections");
        }
    }
}

TEST_CASE("floods and limits: an editor's command dropped by the rate limit is named by its request_id - retryable") {
    ServerProcess server({"--admin-messages-per-s", "2", "--admin-burst", "4"});
    Editor editor(server.port());
    editor.create_story("cadence");  // one message of the burst
    for (int i = 1; i <= 6; ++i)
        editor.ws().send({{"type", "post_entry"}, {"story", "cadence"}, {"request_id", "p" + std::to_string(i)},
                          {"blocks", text_blocks("n")}});
    int acks = 0, limited = 0;
    for (int i = 0; i < 6; ++i) {
        json m = editor.ws().recv_until([](const json& x) { return x.contains("request_id"); });
        if (m["type"] == "ack") ++acks;
        if (m.value("code", "") == "rate_limited") {
            ++limited;
            CHECK(m["retryable"] == true);
            CHECK(m["request_id"].get<std::string>().rfind("p", 0) == 0);
        }
    }
    CHECK(acks == 3);
    CHECK(limited == 3);
}
