#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "websocket/frame_parser.hpp"

using namespace liveblog::ws;

namespace {

struct Recorder final : FrameSink {
    std::vector<std::string> messages;
    std::vector<bool> text;
    std::vector<std::string> pings, pongs;
    int close_code = -1;
    std::string close_reason;
    void on_message(std::string_view p, bool t) override {
        messages.emplace_back(p);
        text.push_back(t);
    }
    void on_ping(std::string_view p) override { pings.emplace_back(p); }
    void on_pong(std::string_view p) override { pongs.emplace_back(p); }
    void on_close(std::uint16_t code, std::string_view reason) override {
        close_code = code;
        close_reason = std::string(reason);
    }
};

// A server frame (unmasked), with the shortest length encoding unless `force` (2: 16-bit, 8: 64-bit).
std::string frame(std::uint8_t op, std::string_view payload, bool fin = true, int force = 0) {
    std::string f;
    f.push_back(static_cast<char>((fin ? 0x80 : 0) | op));
    const std::uint64_t n = payload.size();
    if (force == 8 || (!force && n > 0xffff)) {
        f.push_back(127);
        for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    } else if (force == 2 || n >= 126) {
        f.push_back(126);
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xff));
    } else {
        f.push_back(static_cast<char>(n));
    }
    f.append(payload);
    return f;
}

std::string repeat(std::size_t n) {
    std::string s(n, ' ');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

}  // namespace

TEST_CASE("frame parser: whole frames in one read") {
    Recorder r;
    FrameParser p;
    REQUIRE(p.feed(frame(1, "hello") + frame(2, "bin") + frame(1, ""), r));
    REQUIRE(r.messages == std::vector<std::string>{"hello", "bin", ""});
    CHECK(r.text == std::vector<bool>{true, false, true});
    CHECK(p.buffered() == 0);
}

TEST_CASE("frame parser: 16-bit and 64-bit lengths, fed byte by byte") {
    const std::string small = repeat(125), mid = repeat(126), big = repeat(70000), short64 = repeat(10);
    const std::string wire = frame(1, small) + frame(1, mid) + frame(1, big) + frame(1, short64, true, 8) +
                             frame(1, short64, true, 2) + frame(9, "pi") + frame(1, "end");
    BufferPool pool;
    for (bool with_pool : {false, true}) {
        Recorder r;
        FrameParser p(with_pool ? &pool : nullptr);
        for (char c : wire) REQUIRE(p.feed(std::string_view(&c, 1), r));
        REQUIRE(r.messages.size() == 6);
        CHECK(r.messages[0] == small);
        CHECK(r.messages[1] == mid);
        CHECK(r.messages[2] == big);
        CHECK(r.messages[3] == short64);
        CHECK(r.messages[4] == short64);
        CHECK(r.messages[5] == "end");
        CHECK(r.pings == std::vector<std::string>{"pi"});
        CHECK(p.buffered() == 0);
    }
    CHECK(pool.idle() >= 1);  // the borrowed buffer came back
}

TEST_CASE("frame parser: every split point of a stream") {
    const std::string wire = frame(1, "first") + frame(1, repeat(300)) + frame(10, "po") + frame(1, "last");
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        Recorder r;
        FrameParser p;
        REQUIRE(p.feed(std::string_view(wire).substr(0, cut), r));
        REQUIRE(p.feed(std::string_view(wire).substr(cut), r));
        INFO(cut);
        REQUIRE(r.messages.size() == 3);
        CHECK(r.messages[1] == repeat(300));
        CHECK(r.pongs.size() == 1);
    }
}

TEST_CASE("frame parser: fragmented message with a ping in the middle") {
    const std::string wire = frame(1, "hel", false) + frame(9, "x") + frame(0, "lo ", false) + frame(0, "world");
    Recorder r;
    FrameParser p;
    for (char c : wire) REQUIRE(p.feed(std::string_view(&c, 1), r));
    REQUIRE(r.messages == std::vector<std::string>{"hello world"});
    CHECK(r.text == std::vector<bool>{true});
    CHECK(r.pings == std::vector<std::string>{"x"});
}

TEST_CASE("frame parser: close with a code, without one, and what follows is ignored") {
    {
        Recorder r;
        FrameParser p;
        REQUIRE(p.feed(frame(8, std::string("\x0f\xa8", 2) + "slow reader") + frame(1, "after"), r));
        CHECK(r.close_code == 4008);
        CHECK(r.close_reason == "slow reader");
        CHECK(r.messages.empty());
        CHECK(p.closed());
    }
    {
        Recorder r;
        FrameParser p;
        REQUIRE(p.feed(frame(8, ""), r));
        CHECK(r.close_code == 1005);
    }
    {
        Recorder r;
        FrameParser p;
        const std::string wire = frame(8, std::string("\x03\xe9", 2));
        for (char c : wire) REQUIRE(p.feed(std::string_view(&c, 1), r));
        CHECK(r.close_code == 1001);
    }
}

TEST_CASE("frame parser: protocol violations") {
    const auto bad = [](const std::string& wire) {
        Recorder r;
        FrameParser p(nullptr, 1 << 20);
        return !p.feed(wire, r) && p.error() != nullptr;
    };
    CHECK(bad(std::string("\x81\x85", 2) + "mask" + "hello"));        // masked server frame
    CHECK(bad(std::string("\xc1\x01x", 3)));                           // RSV1 without an extension
    CHECK(bad(std::string("\x83\x00", 2)));                            // reserved opcode
    CHECK(bad(frame(9, repeat(126))));                                 // control frame over 125
    CHECK(bad(frame(9, "p", false)));                                  // fragmented control frame
    CHECK(bad(frame(0, "orphan")));                                    // continuation without a start
    CHECK(bad(frame(1, "a", false) + frame(1, "b")));                  // new message inside a fragmented one
    CHECK(bad(frame(8, "x")));                                         // 1-byte close payload
    CHECK(bad(std::string("\x81\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10)));  // 64-bit length, top bit set
    CHECK(bad(std::string("\x81\x7f\x00\x00\x00\x00\x01\x00\x00\x00", 10)));  // 4 GiB: over the limit
    Recorder r;
    FrameParser p;
    REQUIRE_FALSE(p.feed(std::string("\x81\x85", 2), r));
    CHECK_FALSE(p.feed(frame(1, "ok"), r));  // stays failed
}

namespace {
// A client frame (masked) made by the shared encoder.
std::string masked(Opcode op, std::string_view payload) {
    std::string f;
    append_frame(f, op, payload, "\x12\x34\x56\x78");
    return f;
}
}  // namespace

TEST_CASE("frame parser (server role): masked client frames are unmasked, every split point") {
    const std::string wire = masked(Opcode::text, R"({"type":"subscribe"})") + masked(Opcode::ping, "p") +
                             masked(Opcode::binary, repeat(300)) + masked(Opcode::text, repeat(70000));
    for (std::size_t cut = 0; cut <= wire.size(); cut += (cut < 400 ? 1 : 997)) {
        BufferPool pool;
        Recorder r;
        FrameParser p(&pool, 1 << 20, Role::server);
        REQUIRE(p.feed(std::string_view(wire).substr(0, cut), r));
        REQUIRE(p.feed(std::string_view(wire).substr(cut), r));
        INFO(cut);
        REQUIRE(r.messages.size() == 3);
        CHECK(r.messages[0] == R"({"type":"subscribe"})");
        CHECK(r.messages[1] == repeat(300));
        CHECK(r.text == std::vector<bool>{true, false, true});
        CHECK(r.messages[2] == repeat(70000));
        CHECK(r.pings == std::vector<std::string>{"p"});
        CHECK(p.buffered() == 0);
    }
}

TEST_CASE("frame parser (server role): fragmented masked message and close") {
    std::string wire;
    append_frame(wire, Opcode::text, "ab", "\x01\x02\x03\x04");
    wire[0] = static_cast<char>(0x01);  // clear FIN: first fragment
    std::string cont;
    append_frame(cont, Opcode::continuation, "cd", "\x09\x08\x07\x06");
    wire += cont + masked(Opcode::close, close_payload(1000, "bye"));
    Recorder r;
    FrameParser p(nullptr, 1 << 20, Role::server);
    for (char c : wire) REQUIRE(p.feed(std::string_view(&c, 1), r));
    CHECK(r.messages == std::vector<std::string>{"abcd"});
    CHECK(r.close_code == 1000);
    CHECK(r.close_reason == "bye");
}

TEST_CASE("frame parser (server role): unmasked frames and oversize messages are refused, oversize as too big") {
    {
        Recorder r;
        FrameParser p(nullptr, 1 << 20, Role::server);
        CHECK_FALSE(p.feed(frame(1, "not masked"), r));
        CHECK_FALSE(p.too_big());
    }
    {
        Recorder r;
        FrameParser p(nullptr, 100, Role::server);
        CHECK_FALSE(p.feed(masked(Opcode::text, repeat(101)), r));
        CHECK(p.too_big());
        CHECK(r.messages.empty());
    }
    {
        // Fragments each under the limit, together over it.
        std::string first;
        append_frame(first, Opcode::text, repeat(60), "abcd");
        first[0] = static_cast<char>(0x01);
        Recorder r;
        FrameParser p(nullptr, 100, Role::server);
        CHECK_FALSE(p.feed(first + masked(Opcode::continuation, repeat(60)), r));
        CHECK(p.too_big());
    }
}

TEST_CASE("frame parser (server role): a message of more than max_fragments frames is too big") {
    const auto fragments = [](std::size_t n) {
        std::string first;
        append_frame(first, Opcode::text, "a", "abcd");
        first[0] = static_cast<char>(0x01);  // no FIN
        std::string wire = first;
        for (std::size_t i = 1; i + 1 < n; ++i) {
            std::string empty;
            append_frame(empty, Opcode::continuation, "", "abcd");
            empty[0] = static_cast<char>(0x00);
            wire += empty;
        }
        return wire + masked(Opcode::continuation, "z");
    };
    {
        Recorder r;
        FrameParser p(nullptr, 1 << 20, Role::server);
        CHECK(p.feed(fragments(FrameParser::max_fragments), r));
        CHECK(r.messages == std::vector<std::string>{"az"});
    }
    {
        Recorder r;
        FrameParser p(nullptr, 1 << 20, Role::server);
        CHECK_FALSE(p.feed(fragments(FrameParser::max_fragments + 1), r));
        CHECK(p.too_big());
        CHECK(r.messages.empty());
    }
}

TEST_CASE("frame parser (server role): set_max_message applies to the next message") {
    Recorder r;
    FrameParser p(nullptr, 100, Role::server);
    REQUIRE(p.feed(masked(Opcode::text, repeat(100)), r));
    p.set_max_message(1000);
    REQUIRE(p.feed(masked(Opcode::text, repeat(1000)), r));
    p.set_max_message(10);
    CHECK_FALSE(p.feed(masked(Opcode::text, repeat(11)), r));
    CHECK(p.too_big());
}

TEST_CASE("wire: frame headers by length and close payloads") {
    for (std::size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
        std::string f;
        append_frame(f, Opcode::text, std::string(n, 'x'));
        CHECK(f.size() == frame_header_size(n, false) + n);
        CHECK(f == frame(1, std::string(n, 'x')));
    }
    CHECK(close_payload(4008, "slow") == std::string("\x0f\xa8slow", 6));
    CHECK(close_payload(1000, std::string(200, 'r')).size() == 125);
}

TEST_CASE("frame parser: close codes no endpoint may send are a protocol error") {
    for (std::uint16_t code : {999, 1004, 1005, 1006, 1015, 2999, 5000}) {
        Recorder r;
        FrameParser p;
        INFO(code);
        CHECK_FALSE(p.feed(frame(8, close_payload(code, "")), r));
        CHECK(r.close_code == -1);
    }
    for (std::uint16_t code : {1000, 1001, 1011, 3000, 4999}) {
        Recorder r;
        FrameParser p;
        CHECK(p.feed(frame(8, close_payload(code, "")), r));
        CHECK(r.close_code == code);
    }
}
