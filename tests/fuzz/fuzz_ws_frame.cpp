// libFuzzer harness: the RFC 6455 frame parser (websocket/frame_parser), as
// either end of a connection, fed the same bytes three ways.
//
// Input: byte 0 chooses the role (bit 0: 1 = server, parsing masked client
// frames) and how many split lengths follow (bits 1-3); bit 4 asks for a
// reset() and a second pass. Then that many bytes, each the length of one
// feed() (0 is an empty feed); the rest of the input is the byte stream.
//
// What must hold:
//  - the parser's verdict does not depend on how the stream is cut into
//    reads: whole, at the chosen points (pooled buffers), or one byte at a
//    time (no pool) give the same callbacks, the same error and too_big();
//  - callbacks respect the contract: messages within max_message, control
//    payloads within 125 bytes, close codes in the ranges frame_parser.hpp
//    lists (or 1005 with no reason), nothing after a close;
//  - a false feed() leaves error() set, and the error sticks;
//  - the buffered bytes stay bounded by the limit, reset() gives every
//    buffer back, and the pool never keeps more than it was told to;
//  - what was parsed, encoded again with append_frame (websocket/wire),
//    parses back to the same callbacks.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "websocket/buffer_pool.hpp"
#include "websocket/frame_parser.hpp"
#include "websocket/wire.hpp"

namespace ws = liveblog::ws;

namespace {

// Small, so that the too-big paths are reachable with short inputs.
constexpr std::uint64_t max_message = 4096;
// Few and small pooled buffers: the "pool full" and "grown too large" paths run.
constexpr std::size_t pool_keep = 2;
constexpr std::size_t pool_max_capacity = 512;

struct Event {
    char kind;  // 'T' text, 'B' binary, 'i' ping, 'o' pong, 'c' close
    std::uint16_t code;
    std::string payload;
    bool operator==(const Event&) const = default;
};

bool is_sendable_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

class CheckingSink final : public ws::FrameSink {
public:
    std::vector<Event> events;
    bool closed = false;

    void on_message(std::string_view payload, bool text) override {
        FUZZ_REQUIRE(!closed);
        FUZZ_REQUIRE(payload.size() <= max_message);
        events.push_back({text ? 'T' : 'B', 0, std::string(payload)});
    }
    void on_ping(std::string_view payload) override {
        FUZZ_REQUIRE(!closed);
        FUZZ_REQUIRE(payload.size() <= 125);
        events.push_back({'i', 0, std::string(payload)});
    }
    void on_pong(std::string_view payload) override {
        FUZZ_REQUIRE(!closed);
        FUZZ_REQUIRE(payload.size() <= 125);
        events.push_back({'o', 0, std::string(payload)});
    }
    void on_close(std::uint16_t code, std::string_view reason) override {
        FUZZ_REQUIRE(!closed);
        FUZZ_REQUIRE(reason.size() <= 123);
        if (code == ws::close_status::no_status) {
            FUZZ_REQUIRE(reason.empty());
        } else {
            FUZZ_REQUIRE(is_sendable_close_code(code));
        }
        closed = true;
        events.push_back({'c', code, std::string(reason)});
    }
};

struct Outcome {
    std::vector<Event> events;
    std::string error;  // empty: none
    bool failed = false;
    bool too_big = false;
    bool closed = false;
    bool operator==(const Outcome&) const = default;
};

// One feed() and the invariants that hold after any call.
bool checked_feed(ws::FrameParser& parser, std::string_view chunk, CheckingSink& sink, const ws::BufferPool* pool) {
    const std::size_t events_before = sink.events.size();
    const bool was_closed = parser.closed();
    const bool ok = parser.feed(chunk, sink);
    if (!ok) FUZZ_REQUIRE(parser.error() != nullptr);
    if (ok) FUZZ_REQUIRE(parser.error() == nullptr);
    if (parser.too_big()) FUZZ_REQUIRE(!ok);
    if (was_closed) FUZZ_REQUIRE(ok && sink.events.size() == events_before);
    FUZZ_REQUIRE(parser.closed() == sink.closed);
    // An incomplete frame (header included) plus a message being reassembled.
    FUZZ_REQUIRE(parser.buffered() <= (max_message + 14) + max_message);
    if (pool) FUZZ_REQUIRE(pool->idle() <= pool_keep);
    return ok;
}

Outcome finish(ws::FrameParser& parser, CheckingSink& sink, bool failed) {
    if (failed) {
        // Sticky: a failed parser refuses everything after, empty input included.
        const char* error = parser.error();
        FUZZ_REQUIRE(!parser.feed("\x81\x00", sink));
        FUZZ_REQUIRE(!parser.feed({}, sink));
        FUZZ_REQUIRE(parser.error() == error);
    }
    Outcome o;
    o.events = std::move(sink.events);
    o.failed = failed;
    if (parser.error()) o.error = parser.error();
    o.too_big = parser.too_big();
    o.closed = parser.closed();
    return o;
}

Outcome run_whole(std::string_view stream, ws::Role role, ws::BufferPool* pool) {
    ws::FrameParser parser(pool, max_message, role);
    CheckingSink sink;
    const bool ok = checked_feed(parser, stream, sink, pool);
    return finish(parser, sink, !ok);
}

Outcome run_split(std::string_view stream, const std::vector<std::size_t>& lengths, ws::Role role,
                  ws::BufferPool* pool) {
    ws::FrameParser parser(pool, max_message, role);
    CheckingSink sink;
    bool ok = true;
    for (std::size_t length : lengths) {
        const std::string_view chunk = stream.substr(0, std::min(length, stream.size()));
        stream.remove_prefix(chunk.size());
        if (!checked_feed(parser, chunk, sink, pool)) {
            ok = false;
            break;
        }
    }
    if (ok && !stream.empty()) ok = checked_feed(parser, stream, sink, pool);
    return finish(parser, sink, !ok);
}

Outcome run_bytewise(std::string_view stream, ws::Role role) {
    ws::FrameParser parser(nullptr, max_message, role);
    CheckingSink sink;
    bool ok = true;
    for (std::size_t i = 0; i < stream.size() && ok; ++i) ok = checked_feed(parser, stream.substr(i, 1), sink, nullptr);
    return finish(parser, sink, !ok);
}

// The events as a peer in `role`'s position would receive them again.
std::string encode(const std::vector<Event>& events, ws::Role role) {
    static constexpr char mask[4] = {'\x37', '\xfa', '\x21', '\x3d'};
    const char* m = role == ws::Role::server ? mask : nullptr;
    std::string out;
    for (const Event& e : events) {
        switch (e.kind) {
            case 'T': ws::append_frame(out, ws::Opcode::text, e.payload, m); break;
            case 'B': ws::append_frame(out, ws::Opcode::binary, e.payload, m); break;
            case 'i': ws::append_frame(out, ws::Opcode::ping, e.payload, m); break;
            case 'o': ws::append_frame(out, ws::Opcode::pong, e.payload, m); break;
            case 'c':
                ws::append_frame(out, ws::Opcode::close,
                                 e.code == ws::close_status::no_status ? std::string()
                                                                       : ws::close_payload(e.code, e.payload),
                                 m);
                break;
        }
    }
    return out;
}

void check_header(std::string_view stream, ws::Role role) {
    const ws::FrameHeader h = ws::parse_frame_header(stream.data(), stream.size(), max_message, role);
    switch (h.status) {
        case ws::FrameHeader::Status::complete: {
            FUZZ_REQUIRE(h.header_size <= stream.size());
            const std::size_t base = h.header_size - (h.masked ? 4 : 0);
            FUZZ_REQUIRE(base == 2 || base == 4 || base == 10);
            FUZZ_REQUIRE(h.payload_size <= max_message);
            FUZZ_REQUIRE(h.masked == (role == ws::Role::server));
            FUZZ_REQUIRE(!h.too_big && h.error == nullptr);
            break;
        }
        case ws::FrameHeader::Status::need_more: FUZZ_REQUIRE(h.header_size > stream.size()); break;
        case ws::FrameHeader::Status::invalid:
            FUZZ_REQUIRE(h.error != nullptr);
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const ws::Role role = (data[0] & 1) ? ws::Role::server : ws::Role::client;
    const std::size_t splits = (data[0] >> 1) & 7;
    const bool second_pass = (data[0] & 0x10) != 0;
    std::size_t pos = 1;
    std::vector<std::size_t> lengths;
    for (std::size_t i = 0; i < splits && pos < size; ++i) lengths.push_back(data[pos++]);
    const std::string_view stream(reinterpret_cast<const char*>(data) + pos, size - pos);

    check_header(stream, role);

    ws::BufferPool whole_pool(pool_keep, pool_max_capacity);
    const Outcome whole = run_whole(stream, role, &whole_pool);
    FUZZ_REQUIRE(whole_pool.idle() <= pool_keep);

    ws::BufferPool split_pool(pool_keep, pool_max_capacity);
    FUZZ_REQUIRE(run_split(stream, lengths, role, &split_pool) == whole);
    FUZZ_REQUIRE(run_bytewise(stream, role) == whole);

    if (second_pass) {
        // reset() is "a fresh connection": the same bytes again give the same
        // verdict, whatever state the first pass left behind.
        ws::BufferPool pool(pool_keep, pool_max_capacity);
        ws::FrameParser parser(&pool, max_message, role);
        CheckingSink first;
        const std::size_t half = lengths.empty() ? stream.size() / 2 : std::min(lengths[0], stream.size());
        (void)parser.feed(stream.substr(0, half), first);
        parser.reset();
        FUZZ_REQUIRE(parser.buffered() == 0 && parser.error() == nullptr && !parser.closed() && !parser.too_big());
        CheckingSink again;
        const bool ok = checked_feed(parser, stream, again, &pool);
        FUZZ_REQUIRE(finish(parser, again, !ok) == whole);
    }

    // Round trip through the encoder: every event the parser produced can be
    // sent as one final frame and is read back unchanged.
    const std::string reencoded = encode(whole.events, role);
    ws::FrameParser parser(nullptr, max_message, role);
    CheckingSink sink;
    FUZZ_REQUIRE(parser.feed(reencoded, sink));
    FUZZ_REQUIRE(sink.events == whole.events);
    return 0;
}
