#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "core/frame.hpp"
#include "websocket/frame_parser.hpp"
#include "websocket/permessage_deflate.hpp"

using namespace liveblog;

namespace {

const std::string event_text =
    R"({"type":"event","story":"soir-electoral","seq":1234,"event":"entry.created","entry":{"id":"e-42","author":)"
    R"("Rédaction","blocks":[{"type":"text","text":"Les premiers résultats tombent dans les bureaux de vote )"
    R"(de la circonscription : la participation dépasse celle du premier tour, selon la préfecture."}]}})";

struct Collect final : ws::FrameSink {
    ws::FrameParser* parser = nullptr;
    std::vector<std::pair<std::string, bool>> messages;  // payload, compressed
    void on_message(std::string_view p, bool) override { messages.emplace_back(std::string(p), parser->message_compressed()); }
    void on_ping(std::string_view) override {}
    void on_pong(std::string_view) override {}
    void on_close(std::uint16_t, std::string_view) override {}
};

}  // namespace

TEST_CASE("permessage-deflate: negotiation takes the first offer it can honour", "[deflate]") {
    const std::string yes = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    struct Row {
        const char* offers;
        bool accepted;
    };
    const Row rows[] = {
        {"", false},
        {"permessage-deflate", true},
        {"permessage-deflate; client_max_window_bits", true},  // Chromium's and Node ws' offer
        {"permessage-deflate; client_max_window_bits=12", true},
        {"permessage-deflate; server_no_context_takeover; client_no_context_takeover", true},
        {"permessage-deflate; server_max_window_bits=15", true},
        {"permessage-deflate; server_max_window_bits=10", false},  // our shared frames use 15
        {"permessage-deflate; server_max_window_bits=10, permessage-deflate", true},
        {"permessage-deflate; server_max_window_bits=16", false},
        {"permessage-deflate; server_max_window_bits", false},   // a value is required
        {"permessage-deflate; client_max_window_bits=7", false},
        {"permessage-deflate; server_no_context_takeover=1", false},
        {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", false},
        {"permessage-deflate; unknown_param", false},
        {"x-webkit-deflate-frame", false},
        {"x-webkit-deflate-frame, permessage-deflate", true},
        {"permessage-deflate; client_max_window_bits=\"10\"", true},
    };
    for (const auto& r : rows) {
        INFO(r.offers);
        auto answer = ws::negotiate_permessage_deflate(r.offers);
        CHECK(answer.has_value() == r.accepted);
        if (answer) CHECK(*answer == yes);
    }
}

TEST_CASE("permessage-deflate: messages round-trip, French text halves, bombs are bounded", "[deflate]") {
    const auto packed = ws::deflate_message(event_text);
    CHECK(packed.size() * 10 < event_text.size() * 7);
    CHECK_FALSE(packed.ends_with(std::string_view("\x00\x00\xff\xff", 4)));
    std::string out;
    bool too_big = true;
    REQUIRE(ws::inflate_message(packed, 1 << 20, out, too_big));
    CHECK_FALSE(too_big);
    CHECK(out == event_text);
    // Each message on its own: the same input, the same bytes (no context).
    CHECK(ws::deflate_message(event_text) == packed);
    REQUIRE(ws::inflate_message(ws::deflate_message(""), 10, out, too_big));
    CHECK(out.empty());

    const auto bomb = ws::deflate_message(std::string(5'000'000, 'a'));
    CHECK_FALSE(ws::inflate_message(bomb, 16 * 1024, out, too_big));
    CHECK(too_big);
    CHECK(out.size() <= 16 * 1024);
    CHECK_FALSE(ws::inflate_message("\xff\xff\xff\xff garbage", 1 << 20, out, too_big));
    CHECK_FALSE(too_big);
}

TEST_CASE("permessage-deflate: a shared frame is deflated once, for every thread", "[deflate]") {
    FramePtr frame = make_shared_frame("soir-electoral", 1234, event_text);
    std::vector<const Frame*> seen(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { seen[t] = frame->deflated(); });
    for (auto& t : threads) t.join();
    REQUIRE(seen[0] != nullptr);
    for (auto* d : seen) CHECK(d == seen[0]);
    const Frame& d = *seen[0];
    CHECK((static_cast<unsigned char>(d.ws[0]) & 0x40) != 0);  // RSV1
    CHECK(d.seq == 1234);
    // A reader's parser with the extension reads it back.
    ws::FrameParser parser(nullptr, 1 << 20, ws::Role::client);
    parser.set_compression(true);
    Collect sink;
    sink.parser = &parser;
    REQUIRE(parser.feed(d.ws, sink));
    REQUIRE(sink.messages.size() == 1);
    CHECK(sink.messages[0].second);
    std::string out;
    bool too_big = false;
    REQUIRE(ws::inflate_message(sink.messages[0].first, 1 << 20, out, too_big));
    CHECK(out == event_text);
    // Without the extension the same frame is a protocol error.
    ws::FrameParser plain(nullptr, 1 << 20, ws::Role::client);
    CHECK_FALSE(plain.feed(d.ws, sink));

    // A message that does not shrink has no compressed form.
    CHECK(make_shared_frame("s", 1, "{}")->deflated() == nullptr);
}

TEST_CASE("permessage-deflate: RSV1 only where a message starts", "[deflate]") {
    auto frame = [](ws::Opcode op, std::string_view payload, bool fin, bool rsv1) {
        std::string f;
        ws::append_frame(f, op, payload, nullptr, rsv1);
        if (!fin) f[0] = static_cast<char>(f[0] & 0x7f);
        return f;
    };
    Collect sink;
    {
        ws::FrameParser p(nullptr, 1 << 20, ws::Role::client);
        p.set_compression(true);
        sink.parser = &p;
        CHECK_FALSE(p.feed(frame(ws::Opcode::ping, "x", true, true), sink));
    }
    {
        ws::FrameParser p(nullptr, 1 << 20, ws::Role::client);
        p.set_compression(true);
        sink.parser = &p;
        REQUIRE(p.feed(frame(ws::Opcode::text, "a", false, true), sink));
        CHECK_FALSE(p.feed(frame(ws::Opcode::continuation, "b", true, true), sink));
    }
    {
        ws::FrameParser p(nullptr, 1 << 20, ws::Role::client);
        p.set_compression(true);
        sink.parser = &p;
        sink.messages.clear();
        REQUIRE(p.feed(frame(ws::Opcode::text, "a", false, true) + frame(ws::Opcode::continuation, "b", true, false) +
                           frame(ws::Opcode::text, "c", true, false),
                       sink));
        REQUIRE(sink.messages.size() == 2);
        CHECK(sink.messages[0] == std::make_pair(std::string("ab"), true));
        CHECK(sink.messages[1] == std::make_pair(std::string("c"), false));
    }
    // RSV2 and RSV3 are never allowed.
    ws::FrameParser p(nullptr, 1 << 20, ws::Role::client);
    p.set_compression(true);
    std::string f = frame(ws::Opcode::text, "a", true, false);
    f[0] = static_cast<char>(f[0] | 0x20);
    CHECK_FALSE(p.feed(f, sink));
}
