// RFC 6455 at the frame level against the real server: what browsers and
// libraries do (fragments, pings, closes) and what they must not (unmasked
// frames, bad close codes, silence), with a raw socket client.
#include <catch2/catch.hpp>

#include <poll.h>

#include <thread>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "support/raw_ws.hpp"
#include "support/server_process.hpp"
#include "support/ws_client.hpp"
#include "unit/prometheus_text.hpp"
#include "websocket/frame_parser.hpp"

using namespace liveblog::test;
using liveblog::error_code;
using liveblog::tcp;
namespace net = liveblog::net;
namespace ws = liveblog::ws;

namespace {

// Whether the server's count of open reader WebSockets (/metrics) falls to
// zero within `wait`: a connection it ended must also leave its books.
bool no_ws_connection_left(unsigned short port, std::chrono::milliseconds wait = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        auto metrics = parse_prometheus_text(http_request(port, "GET", "/metrics").body);
        if (metrics.value("liveblog_connections", {{"transport", "ws"}}) == 0) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
}

}  // namespace

TEST_CASE("websocket handshake: a wrong version gets 426 - a missing key 400") {
    ServerProcess server;
    std::string wrong_version = upgrade_request();
    wrong_version.replace(wrong_version.find("Version: 13"), 11, "Version: 8");
    auto r = raw_http_exchange(server.port(), wrong_version);
    CHECK(r.status == 426);
    CHECK(r.header("Sec-WebSocket-Version") == "13");
    CHECK(json::parse(r.body)["code"] == "bad_request");

    std::string no_key = upgrade_request();
    no_key.erase(no_key.find("Sec-WebSocket-Key"), std::string("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n").size());
    CHECK(raw_http_exchange(server.port(), no_key).status == 400);
}

TEST_CASE("websocket frames: a fragmented message with a ping between its fragments") {
    ServerProcess server(ServerProcess::Options{{}, {}, true});
    RawWs c(server.port());
    c.send(ws::Opcode::text, R"({"type":"subscr)", false);
    c.send(ws::Opcode::ping, "are you there");
    c.send(ws::Opcode::continuation, R"(ibe","story":"demo-)", false);
    c.send(ws::Opcode::continuation, R"(en-direct"})");
    auto types = [](const Received& r) {
        std::vector<std::string> t;
        for (auto& m : r.messages)
            if (auto type = json::parse(m)["type"]; type != "presence") t.push_back(type);
        return t;
    };
    REQUIRE(c.read_until([&](const Received& r) { return types(r).size() >= 2; }));
    CHECK(c.got.pongs == std::vector<std::string>{"are you there"});
    CHECK(types(c.got) == std::vector<std::string>{"snapshot", "subscribed"});
}

TEST_CASE("websocket frames: violations close with 1002 or 1009") {
    ServerProcess server({"--max-reader-message-bytes", "1000"});
    // The server fails the connection: its close frame, then the end of the
    // TCP connection without waiting for the client's close.
    SECTION("an unmasked client frame") {
        RawWs c(server.port());
        c.send(ws::Opcode::text, R"({"type":"ping"})", true, false);
        CHECK(c.closed_with() == 1002);
    }
    SECTION("a reserved opcode") {
        RawWs c(server.port());
        c.send(static_cast<ws::Opcode>(3), "x");
        CHECK(c.closed_with() == 1002);
    }
    SECTION("a close code no endpoint may send") {
        RawWs c(server.port());
        c.send(ws::Opcode::close, ws::close_payload(1005, ""));
        CHECK(c.closed_with() == 1002);
    }
    SECTION("fragments each under the limit - together over it") {
        RawWs c(server.port());
        c.send(ws::Opcode::text, std::string(600, ' '), false);
        c.send(ws::Opcode::continuation, std::string(600, ' '));
        CHECK(c.closed_with() == 1009);
    }
    CHECK(no_ws_connection_left(server.port()));
    CHECK(server.log().find("bug:") == std::string::npos);
    // And it still serves (a connection it had freed without unlisting would
    // be touched by the next keepalive tick or the shutdown).
    RawWs after(server.port());
    after.send(ws::Opcode::text, R"({"type":"ping"})");
    REQUIRE(after.read_until([](const Received& r) { return !r.messages.empty(); }));
    CHECK(json::parse(after.got.messages[0])["type"] == "pong");
}

TEST_CASE("websocket close handshake: the server echoes the client's code and ends the TCP connection") {
    ServerProcess server;
    RawWs c(server.port());
    c.send(ws::Opcode::close, ws::close_payload(1000, "bye"));
    CHECK(c.closed_with() == 1000);
    CHECK(c.eof);
}

TEST_CASE("websocket keepalive: a silent peer is pinged - then cut - one that answers stays") {
    ServerProcess server({"--idle-timeout-s", "2"});
    RawWs silent(server.port());
    RawWs alive(server.port());
    // Half the idle timeout without a word: a ping.
    REQUIRE(alive.read_until([](const Received& r) { return !r.pings.empty(); }, 4s));
    alive.send(ws::Opcode::pong, "");
    // The silent one answers nothing and is cut within the timeout (+ the 1 s tick).
    auto start = std::chrono::steady_clock::now();
    REQUIRE(silent.read_until([](const Received&) { return false; }, 6s));
    CHECK(silent.eof);
    CHECK(silent.got.pings.size() == 1);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    // The one that answered is still served.
    alive.send(ws::Opcode::text, R"({"type":"ping"})");
    REQUIRE(alive.read_until([](const Received& r) { return !r.messages.empty(); }));
    CHECK(json::parse(alive.got.messages[0])["type"] == "pong");
    CHECK_FALSE(alive.eof);
}
