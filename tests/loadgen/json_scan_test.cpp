#include <catch2/catch.hpp>

#include "json_scan.hpp"

using namespace liveblog::load;

TEST_CASE("json scan: the event's own seq, not nested ones") {
    const auto f = scan_top_level(
        R"({"entry":{"blocks":[{"text":"\"seq\":99 lbt:1:2:","type":"text"}],"created_seq":17,"seq":55},)"
        R"("op":"entry.created","seq":18,"story":"s","type":"event"})");
    CHECK(f.valid);
    CHECK(f.type == "event");
    CHECK(f.has_seq);
    CHECK(f.seq == 18);
}

TEST_CASE("json scan: subscribed") {
    const auto f = scan_top_level(R"({"epoch":"9f86d081","mode":"replay_memory","seq":42,"story":"s","type":"subscribed"})");
    CHECK(f.type == "subscribed");
    CHECK(f.epoch == "9f86d081");
    CHECK(f.mode == "replay_memory");
    CHECK(f.seq == 42);
}

TEST_CASE("json scan: any key order and whitespace") {
    const auto f = scan_top_level(" { \"type\" : \"error\" , \"code\" : \"rate_limited\", \"retryable\" : true } ");
    CHECK(f.valid);
    CHECK(f.type == "error");
    CHECK(f.code == "rate_limited");
    CHECK_FALSE(f.has_seq);
}

TEST_CASE("json scan: snapshot's seq is nested, so none at the top") {
    const auto f = scan_top_level(R"({"entries":[],"has_more":false,"pinned":[],"story":{"seq":5,"epoch":"e"},"type":"snapshot"})");
    CHECK(f.type == "snapshot");
    CHECK_FALSE(f.has_seq);
    CHECK(f.epoch.empty());
}

TEST_CASE("json scan: not an object, or cut short") {
    CHECK_FALSE(scan_top_level("").valid);
    CHECK_FALSE(scan_top_level("[1,2]").valid);
    CHECK_FALSE(scan_top_level(R"({"type":"event")").valid);
    CHECK_FALSE(scan_top_level(R"({"type":"ev)").valid);
}
