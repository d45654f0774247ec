#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "child_report.hpp"
#include "result.hpp"

using namespace liveblog::load;

TEST_CASE("result: the JSON line parses back with every section") {
    RunResult r;
    r.scenario = "fanout";
    r.target = "liveblog";
    r.label = "liveblog \"quoted\" \xff";  // invalid UTF-8 is replaced, not thrown
    r.url = "http://127.0.0.1:8080";
    r.readers = 1000;
    r.processes = 1;
    r.stories = 2;
    r.connect.requested = 1000;
    r.connect.ready = 998;
    r.connect.failed = 2;
    r.connect.failures["ECONNREFUSED"] = 2;
    Histogram h;
    for (std::uint64_t v = 1; v <= 1000; ++v) h.record(v * 10);
    PublishFigures p;
    p.posted = 100;
    p.target_rate = 10;
    p.ack_us = LatencySummary::of(h);
    r.publish = p;
    DeliveryFigures d;
    d.deliveries = 99800;
    d.latency_us = LatencySummary::of(h);
    d.closes["4008"] = 1;
    r.delivery = d;
    ResumeFigures s;
    s.dropped = 998;
    s.resumed = 998;
    s.all_caught_up = true;
    s.all_caught_up_s = 1.23456;
    s.modes["replay_memory"] = 998;
    r.resume = s;
    r.server = ServerFigures{};
    r.ramp.push_back(RampStep{10, 9.9, 50, 0, 50000, LatencySummary::of(h), true});
    r.ramp_max_rate = 10;
    r.warnings.push_back("a warning");

    const auto line = result_json(r);
    CHECK(line.find('\n') == std::string::npos);
    const auto j = nlohmann::json::parse(line);
    CHECK(j["tool"] == "liveblog-load");
    CHECK(j["scenario"] == "fanout");
    CHECK(j["connect"]["ready"] == 998);
    CHECK(j["connect"]["failures"]["ECONNREFUSED"] == 2);
    CHECK(j["delivery"]["latency_us"]["p50"] == h.percentile(50));  // 5000 reported as its bucket's top, 5055
    CHECK(j["delivery"]["latency_us"]["p50"].get<std::uint64_t>() >= 5000);
    CHECK(j["delivery"]["latency_us"]["p50"].get<std::uint64_t>() <= 5000 + 5000 / 64);
    CHECK(j["delivery"]["latency_us"]["p99"] == h.percentile(99));
    CHECK(j["delivery"]["latency_us"]["max"] == 10000);
    CHECK(j["delivery"]["latency_us"].contains("p99_9"));
    CHECK(j["delivery"]["closes"]["4008"] == 1);
    CHECK(j["resume"]["all_caught_up_s"] == Approx(1.235));
    CHECK(j["resume"]["modes"]["replay_memory"] == 998);
    CHECK(j["ramp"]["max_rate"] == 10.0);
    CHECK(j["ramp"]["steps"].size() == 1);
    CHECK(j["server"]["pid"] == 0);
    CHECK(j["warnings"][0] == "a warning");
    CHECK(j["label"].get<std::string>().find("quoted") != std::string::npos);
    CHECK_FALSE(result_table(r).empty());
}

TEST_CASE("result: sections a scenario does not measure are absent") {
    RunResult r;
    r.scenario = "connect-storm";
    const auto j = nlohmann::json::parse(result_json(r));
    CHECK_FALSE(j.contains("publish"));
    CHECK_FALSE(j.contains("delivery"));
    CHECK_FALSE(j.contains("resume"));
    CHECK_FALSE(j.contains("server"));
    CHECK_FALSE(j.contains("ramp"));
    CHECK(j.contains("connect"));
}

TEST_CASE("child report: round-trip through its JSON line") {
    ChildReport c;
    c.kind = "final";
    c.child = 3;
    c.live = 10;
    c.latency.record(1234);
    c.resume_us.record(99);
    c.event_max_us = {5, -1, 7};
    c.event_receivers = {1, 0, 2};
    c.closes["1006"] = 4;
    c.story_live = {4, 6};
    std::string error;
    const auto back = decode_report(encode_report(c), error);
    REQUIRE(back);
    CHECK(back->kind == "final");
    CHECK(back->child == 3);
    CHECK(back->latency.count() == 1);
    CHECK(back->latency.max() == 1234);
    CHECK(back->resume_us.max() == 99);
    CHECK(back->event_max_us == c.event_max_us);
    CHECK(back->event_receivers == c.event_receivers);
    CHECK(back->closes == c.closes);
    CHECK(back->story_live == c.story_live);
    CHECK_FALSE(decode_report("{\"kind\":1}", error));
}
