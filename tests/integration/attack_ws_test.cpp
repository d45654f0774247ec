// The black-box attack suite, WebSocket and SSE side: frames at their edges,
// floods, oversize catch-ups, anonymous and expired editors. Every case
// asserts the exact refusal (close code or error code), that nothing was
// stored, and that a well-behaved reader on the same server got every
// event meanwhile.
#include <catch2/catch.hpp>

#include <thread>

#include "common/clock.hpp"
#include "core/jwt.hpp"
#include "support/editor.hpp"
#include "support/raw_ws.hpp"
#include "support/server_process.hpp"
#include "support/sse_client.hpp"
#include "support/witness.hpp"
#include "unit/prometheus_text.hpp"
#include "websocket/permessage_deflate.hpp"

using namespace liveblog::test;
namespace ws = liveblog::ws;

namespace {

// A 64-bit length frame header (masked), with whatever length it claims.
std::string frame_claiming(std::uint64_t length) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
    f.append("\x01\x02\x03\x04", 4);
    return f;
}

json snapshot_of(unsigned short port, const std::string& story) {
    WsClient r(port);
    r.send({{"type", "subscribe"}, {"story", story}});
    return r.recv_type("snapshot");
}

}  // namespace

TEST_CASE("attack: deep JSON on /ws and /admin/ws is refused with invalid_json") {
    UnderAttack stage({}, "cible");
    auto& [server, editor, witness] = stage;
    WsClient reader(server.port());
    reader.send_raw("{\"type\":\"subscribe\",\"x\":" + std::string(8000, '[') + std::string(8000, ']') + "}");
    CHECK(reader.recv_type("error")["code"] == "invalid_json");
    editor.ws().send_raw(R"({"type":"post_entry","request_id":1,"story":"cible","blocks":)" + std::string(200000, '[') +
                         std::string(200000, ']') + "}");
    CHECK(editor.ws().recv_type("error")["code"] == "invalid_json");
    CHECK(snapshot_of(server.port(), "cible")["entries"].empty());
    witness.still_served();
}

TEST_CASE("attack: a story too large for one queue still takes new readers (WebSocket and SSE)") {
    UnderAttack stage({}, "lourde");
    auto& [server, editor, witness] = stage;
    // 22 entries of three 18 KB blocks: 1.2 MB of newest entries, over the 1 MiB queue.
    json blocks = json::array();
    for (int i = 0; i < 3; ++i) blocks.push_back({{"type", "text"}, {"text", std::string(18000, 'x')}});
    long seq = 0;
    for (int i = 0; i < 22; ++i) {
        json ack = editor.command({{"type", "post_entry"}, {"story", "lourde"}, {"blocks", blocks}, {"pinned", i < 2}});
        REQUIRE(ack["type"] == "ack");
        seq = ack["seq"].get<long>();
    }
    for (int round = 0; round < 2; ++round) {  // the first reads the store, the second gets the cached frame
        WsClient reader(server.port());
        reader.send({{"type", "subscribe"}, {"story", "lourde"}});
        json snap = reader.recv_type("snapshot");
        CHECK(snap.dump().size() <= 512 * 1024);
        CHECK(snap["has_more"] == true);
        CHECK(snap["entries"].size() >= 5);
        CHECK(snap["pinned"].size() == 2);
        json live = reader.recv_type("subscribed");
        CHECK(live["seq"] == seq);
        // It stays subscribed: the next entry arrives live.
        json ack = editor.command({{"type", "post_entry"}, {"story", "lourde"}, {"blocks", text_blocks("encore")}});
        seq = ack["seq"].get<long>();
        CHECK(reader.recv_type("event")["seq"] == seq);
    }
    SseClient sse(server.port(), "/sse/stories/lourde");
    CHECK(sse.status() == 200);
    CHECK(sse.next_of_type("snapshot").json()["has_more"] == true);
    CHECK(sse.next_of_type("subscribed").json()["seq"] == seq);
    // A resume from before all of it replays too many bytes: a snapshot instead, sized the same.
    WsClient resumer(server.port());
    resumer.send({{"type", "subscribe"}, {"story", "lourde"}, {"since", 1}});
    CHECK(resumer.recv_type("subscribed")["mode"] == "snapshot");
    // The same over HTTP: /events from before all of it is a sized snapshot, not 1.2 MB of events.
    auto events = http_request(server.port(), "GET", "/api/stories/lourde/events?since=1");
    CHECK(events.status == 200);
    CHECK(events.body.size() <= 512 * 1024 + 200);
    json caught_up = json::parse(events.body);
    CHECK(caught_up["mode"] == "snapshot");
    CHECK(caught_up["messages"][0]["has_more"] == true);
    witness.still_served();
}

TEST_CASE("attack: a first frame in the same write as the upgrade is answered") {
    ServerProcess server;
    RawWs fast(server.port(), "/ws", client_frame(ws::Opcode::text, R"({"type":"ping"})"));
    REQUIRE(fast.read_until([](const Received& r) { return !r.messages.empty(); }));
    CHECK(json::parse(fast.got.messages[0])["type"] == "pong");
    // Several frames, the last one split across the upgrade write and the next.
    std::string two = client_frame(ws::Opcode::text, R"({"type":"ping"})") + client_frame(ws::Opcode::text, R"({"type":"ping"})");
    RawWs split(server.port(), "/ws", two.substr(0, two.size() - 5));
    split.send_bytes(two.substr(two.size() - 5));
    REQUIRE(split.read_until([](const Received& r) { return r.messages.size() >= 2; }));
    CHECK(split.count_type("pong") == 2);
}

TEST_CASE("attack: frame edge cases close with the documented code - others keep being served") {
    UnderAttack stage;
    auto& [server, editor, witness] = stage;
    SECTION("a 64-bit length with the top bit set: 1002") {
        RawWs c(server.port());
        c.send_bytes(frame_claiming(0x8000000000000000ull));
        CHECK(c.closed_with() == 1002);
    }
    SECTION("a 64-bit length of a terabyte: 1009 before a byte of it is read") {
        RawWs c(server.port());
        c.send_bytes(frame_claiming(1ull << 40));
        CHECK(c.closed_with() == 1009);
    }
    SECTION("a fragmented ping: 1002") {
        RawWs c(server.port());
        c.send(ws::Opcode::ping, "a", false);
        CHECK(c.closed_with() == 1002);
    }
    SECTION("a ping over 125 bytes: 1002") {
        RawWs c(server.port());
        c.send(ws::Opcode::ping, std::string(126, 'p'));
        CHECK(c.closed_with() == 1002);
    }
    SECTION("endless empty continuations: 1009 after 1024 fragments") {
        RawWs c(server.port());
        std::string burst = client_frame(ws::Opcode::text, "", false);
        for (int i = 0; i < 1100; ++i) burst += client_frame(ws::Opcode::continuation, "", false);
        c.send_bytes(burst);
        CHECK(c.closed_with() == 1009);
    }
    SECTION("a ping flood: pongs stop at the rate, then 4029") {
        RawWs c(server.port());
        std::string burst;
        for (int i = 0; i < 200; ++i) burst += client_frame(ws::Opcode::ping, "p");
        c.send_bytes(burst);
        CHECK(c.closed_with() == 4029);
        CHECK(c.got.pongs.size() <= 41);  // the burst, and what the rate refilled meanwhile
    }
    SECTION("UTF-8 split across fragments: valid is one message - invalid is 1007") {
        RawWs ok(server.port());
        const std::string text = "{\"type\":\"ping\",\"x\":\"\xc3\xa9\xe2\x82\xac\"}";  // é €
        const auto cut = text.find('\xe2') + 1;  // inside the three-byte sequence
        ok.send(ws::Opcode::text, text.substr(0, cut), false);
        ok.send(ws::Opcode::continuation, text.substr(cut));
        REQUIRE(ok.read_until([](const Received& r) { return !r.messages.empty(); }));
        CHECK(json::parse(ok.got.messages[0])["type"] == "pong");
        RawWs bad(server.port());
        bad.send(ws::Opcode::text, "{\"type\":\"ping\",\"x\":\"\xe2\x82", false);
        bad.send(ws::Opcode::continuation, "\x28\"}");  // not a continuation byte
        CHECK(bad.closed_with() == 1007);
    }
    witness.still_served();
}

TEST_CASE("attack: compressed input (permessage-deflate) is bounded and checked - others keep being served") {
    UnderAttack stage({}, "cible");
    auto& [server, editor, witness] = stage;
    const std::string offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    SECTION("a well-formed compressed subscribe is answered - the catch-up comes compressed") {
        RawWs c(server.port(), "/ws", {}, offer);
        CHECK(c.extensions == "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        c.send_bytes(client_frame(ws::Opcode::text,
                                  ws::deflate_message(R"({"type":"subscribe","story":"cible","request_id":"s1"})"), true,
                                  true, true));
        REQUIRE(c.read_until([&](const Received&) { return c.count_type("subscribed") == 1; }));
        CHECK(c.count_type("snapshot") == 1);
        CHECK(c.got.compressed >= 1);
    }
    SECTION("a deflate bomb (16 KiB limit, 10 MB inflated): 1009, nothing inflated past the limit") {
        RawWs c(server.port(), "/ws", {}, offer);
        const std::string bomb = ws::deflate_message("{\"type\":\"ping\",\"x\":\"" + std::string(10'000'000, 'a') + "\"}");
        CHECK(bomb.size() < 16 * 1024);  // small enough to pass the frame limit
        c.send_bytes(client_frame(ws::Opcode::text, bomb, true, true, true));
        CHECK(c.closed_with() == 1009);
    }
    SECTION("data that is not DEFLATE: 1002") {
        RawWs c(server.port(), "/ws", {}, offer);
        c.send_bytes(client_frame(ws::Opcode::text, "\xff\xff\xff\xff not deflate", true, true, true));
        CHECK(c.closed_with() == 1002);
    }
    SECTION("RSV1 on a control frame, or without the extension: 1002") {
        RawWs with(server.port(), "/ws", {}, offer);
        with.send_bytes(client_frame(ws::Opcode::ping, "p", true, true, true));
        CHECK(with.closed_with() == 1002);
        RawWs without(server.port());
        CHECK(without.extensions.empty());
        without.send_bytes(client_frame(ws::Opcode::text, ws::deflate_message("{}"), true, true, true));
        CHECK(without.closed_with() == 1002);
    }
    SECTION("an offer the server cannot honour is declined, not failed") {
        RawWs c(server.port(), "/ws", {},
                "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10, x-webkit-deflate-frame\r\n");
        CHECK(c.extensions.empty());
        c.send(ws::Opcode::text, R"({"type":"ping"})");
        REQUIRE(c.read_until([&](const Received&) { return c.count_type("pong") == 1; }));
        CHECK(c.got.compressed == 0);
    }
    witness.still_served();
}

TEST_CASE("attack: anonymous /admin/ws connections get reader limits - expired tokens are closed") {
    UnderAttack stage({"--auth-timeout-s", "1"}, "cible");
    auto& [server, editor, witness] = stage;
    SECTION("a large message before auth: 1009") {
        RawWs anon(server.port(), "/admin/ws");
        anon.send(ws::Opcode::text, "{\"type\":\"auth\",\"token\":\"" + std::string(20000, 'a') + "\"}");
        CHECK(anon.closed_with() == 1009);
    }
    SECTION("a flood before auth: rate_limited at the reader's rate, then 4029") {
        RawWs anon(server.port(), "/admin/ws");
        std::string burst;
        for (int i = 0; i < 100; ++i) burst += client_frame(ws::Opcode::text, R"({"type":"ping"})");
        anon.send_bytes(burst);
        CHECK(anon.closed_with() == 4029);
        CHECK(anon.count_type("error") < 70);  // 40 unauthorized, then rate_limited until the close
    }
    SECTION("after auth the editor's larger messages are accepted") {
        WsClient e(server.port(), {.path = "/admin/ws"});
        e.send({{"type", "auth"}, {"token", make_token("marie", "editor")}});
        CHECK(e.recv_type("authenticated")["sub"] == "marie");
        json blocks = json::array();
        for (int i = 0; i < 5; ++i) blocks.push_back({{"type", "text"}, {"text", std::string(15000, 'z')}});
        e.send({{"type", "post_entry"}, {"request_id", 1}, {"story", "cible"}, {"blocks", blocks}});
        CHECK(e.recv_until([](const json& m) { return m.contains("request_id"); })["type"] == "ack");
    }
    SECTION("a token that expires: token_expired at once, then 4002 unless a fresh one comes") {
        WsClient e(server.port(), {.path = "/admin/ws"});
        e.send({{"type", "auth"}, {"token", make_token("bref", "editor", {}, 2)}});
        e.recv_type("authenticated");
        json expired = e.recv_type("error", 5s);
        CHECK(expired["code"] == "token_expired");
        CHECK_FALSE(expired.contains("request_id"));
        CHECK(e.wait_closed(5s) == 4002);
    }
    SECTION("a token valid until the year 9999: the session goes on, the server stays idle") {
        // Its expiry, in steady_clock nanoseconds, overflows: the deadline must not fire at once.
        const long to_9999 = static_cast<long>(liveblog::max_token_exp - liveblog::now_millis() / 1000);
        WsClient e(server.port(), {.path = "/admin/ws"});
        e.send({{"type", "auth"}, {"token", make_token("longue", "editor", {}, to_9999)}});
        e.recv_type("authenticated");
        std::this_thread::sleep_for(1500ms);
        e.send({{"type", "post_entry"}, {"request_id", 4}, {"story", "cible"}, {"blocks", text_blocks("x")}});
        CHECK(e.recv_type("ack")["request_id"] == 4);
        const double cpu = server.cpu_seconds();
        std::this_thread::sleep_for(1000ms);
        CHECK(server.cpu_seconds() - cpu < 0.5);  // no timer spinning
    }
    SECTION("a token that expires and is renewed: the session goes on") {
        WsClient e(server.port(), {.path = "/admin/ws"});
        e.send({{"type", "auth"}, {"token", make_token("bref", "editor", {}, 2)}});
        e.recv_type("authenticated");
        CHECK(e.recv_type("error", 5s)["code"] == "token_expired");
        e.send({{"type", "post_entry"}, {"request_id", 2}, {"story", "cible"}, {"blocks", text_blocks("x")}});
        CHECK(e.recv_type("error")["code"] == "unauthorized");
        e.send({{"type", "auth"}, {"token", make_token("bref", "editor")}});
        e.recv_type("authenticated");
        std::this_thread::sleep_for(1500ms);  // past the auth timeout: not closed
        e.send({{"type", "post_entry"}, {"request_id", 3}, {"story", "cible"}, {"blocks", text_blocks("x")}});
        CHECK(e.recv_type("ack")["request_id"] == 3);
    }
    witness.still_served();
}

TEST_CASE("attack: a crowd subscribing at once costs one store read") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("foule");
    for (int i = 0; i < 5; ++i) editor.post("foule", "entrée " + std::to_string(i));
    auto snapshots_read = [&] {
        auto m = parse_prometheus_text(http_request(server.port(), "GET", "/metrics").body);
        return m.value("liveblog_catch_ups_total", {{"kind", "snapshot_from_store"}});
    };
    const double before = snapshots_read();
    auto ioc = std::make_shared<liveblog::net::io_context>();
    std::vector<std::unique_ptr<WsClient>> crowd;
    for (int i = 0; i < 50; ++i) crowd.push_back(std::make_unique<WsClient>(server.port(), ClientOptions{.ioc = ioc}));
    for (auto& r : crowd) r->send({{"type", "subscribe"}, {"story", "foule"}});
    for (auto& r : crowd) CHECK(r->recv_type("snapshot")["entries"].size() == 5);
    // Readers that came while the read ran share it; the rest find the cached frame.
    CHECK(snapshots_read() - before <= 3);
}
