// The byte bounds that keep one story's memory, and one connection's, finite
// whatever the entries hold: the event ring, the outbound queue and the
// snapshot frame.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "core/event_ring.hpp"
#include "protocol/codec.hpp"
#include "store/store.hpp"
#include "transport/outbound_queue.hpp"

using namespace liveblog;

namespace {
FramePtr frame_of(Seq seq, std::size_t payload_bytes) {
    return make_shared_frame("s", seq, std::string(payload_bytes, 'x'));
}
Entry entry_of(int n, std::size_t text_bytes) {
    Entry e;
    e.id = "e" + std::to_string(n);
    e.story = "s";
    e.author = "a";
    e.created_seq = e.modified_seq = static_cast<Seq>(n);
    e.blocks = nlohmann::json::array({{{"type", "text"}, {"text", std::string(text_bytes, 'y')}}});
    return e;
}
}  // namespace

TEST_CASE("event ring: bounded by bytes as well as by count, newest kept", "[memory]") {
    const std::size_t one = frame_of(1, 1000)->ws.size();
    EventRing ring(100, 5 * one);
    for (Seq s = 1; s <= 20; ++s) ring.push("k" + std::to_string(s), frame_of(s, 1000));
    CHECK(ring.size() == 5);
    CHECK(ring.bytes() == 5 * one);
    const auto kept = ring.since(0);
    REQUIRE(kept.size() == 5);
    CHECK(kept.front()->seq == 16);
    CHECK(kept.back()->seq == 20);
    // A frame larger than the whole budget is still kept, alone: the newest event is never dropped.
    ring.push("big", frame_of(21, 10 * one));
    CHECK(ring.size() == 1);
    CHECK(ring.since(20).size() == 1);
}

TEST_CASE("outbound queue: a frame always enters an empty queue, never a full one", "[memory]") {
    OutboundQueue q(1000);
    CHECK(q.push(frame_of(1, 10), 600));
    CHECK(q.push(frame_of(2, 10), 400));      // exactly the limit
    CHECK_FALSE(q.push(frame_of(3, 10), 1));  // over it, queue not empty
    CHECK(q.bytes() == 1000);
    q.pop();
    q.pop();
    CHECK(q.empty());
    CHECK(q.push(frame_of(4, 10), 5000));     // larger than the limit, into an empty queue
    CHECK(q.bytes() == 5000);
    CHECK_FALSE(q.push(frame_of(5, 10), 1));
}

TEST_CASE("snapshot: sized to its budget, pinned first, then newest, has_more set", "[memory]") {
    StorySnapshot snap;
    snap.story.id = "s";
    snap.story.title = "t";
    snap.story.lang = "fr";
    snap.story.seq = 30;
    for (int n = 30; n >= 1; --n) snap.page.entries.push_back(entry_of(n, 18000));  // newest first
    snap.pinned.push_back(entry_of(3, 18000));
    snap.page.has_more = false;

    const auto whole = encode_snapshot(snap);
    const auto whole_json = nlohmann::json::parse(whole->sse.substr(whole->sse.find("data: ") + 6));
    CHECK(whole_json["entries"].size() == 30);
    CHECK(whole_json["has_more"] == false);

    const std::size_t budget = 200 * 1024;
    const auto sized = encode_snapshot(snap, budget);
    const auto payload_start = sized->sse.find("data: ") + 6;
    const auto j = nlohmann::json::parse(sized->sse.substr(payload_start));
    CHECK(sized->ws.size() <= budget + 16);  // the text within the budget, plus the frame header
    CHECK(j["has_more"] == true);
    REQUIRE(j["pinned"].size() == 1);
    CHECK(j["pinned"][0]["id"] == "e3");
    // Newest first, with no gap: the entries kept are the newest ones.
    const auto& entries = j["entries"];
    REQUIRE(entries.size() >= 5);
    REQUIRE(entries.size() < 30);
    for (std::size_t i = 0; i < entries.size(); ++i) CHECK(entries[i]["id"] == "e" + std::to_string(30 - i));
    CHECK(sized->seq == 30);
}
