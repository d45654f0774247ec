#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "load_options.hpp"

using namespace liveblog::load;

namespace {
ParsedOptions parse(std::vector<std::string_view> args) { return parse_options(args); }
}  // namespace

TEST_CASE("options: liveblog fanout") {
    const auto p = parse({"--url", "http://127.0.0.1:8080", "--token", "T", "--stories", "3", "--readers=30000",
                          "--rate", "20"});
    REQUIRE(p.error.empty());
    const auto& o = p.options;
    CHECK(o.target == Target::liveblog);
    CHECK(o.server.port == 8080);
    CHECK(o.story_ids() == std::vector<std::string>{"load-0", "load-1", "load-2"});
    CHECK(o.processes() == 2);
    CHECK(o.source_count() == 4);
    CHECK(o.rate == 20);
}

TEST_CASE("options: generic target") {
    const auto p = parse({"--ws", "ws://localhost:9000/sub/x", "--pub-url", "http://127.0.0.2:9000/pub?id=x",
                          "--body-template", "{\"m\":\"{marker}\"}", "--scenario", "ramp"});
    REQUIRE(p.error.empty());
    CHECK(p.options.target == Target::generic);
    CHECK(p.options.ws.path == "/sub/x");
    CHECK(p.options.pub.path == "/pub?id=x");
    CHECK(p.options.pub.ipv4 == 0x7f000002u);
    CHECK(p.options.scenario == Scenario::ramp);
}

TEST_CASE("options: refused command lines") {
    CHECK_FALSE(parse({}).error.empty());
    CHECK_FALSE(parse({"--ws", "ws://10.1.2.3:80/"}).error.empty());            // not loopback
    CHECK_FALSE(parse({"--ws", "ws://example.com/"}).error.empty());
    CHECK_FALSE(parse({"--url", "http://127.0.0.1:1"}).error.empty());          // no token
    CHECK_FALSE(parse({"--ws", "ws://127.0.0.1:1/", "--scenario", "fanout"}).error.empty());  // no --pub-url
    CHECK_FALSE(parse({"--ws", "ws://127.0.0.1:1/", "--scenario", "reconnect-storm"}).error.empty());
    CHECK_FALSE(parse({"--url", "http://127.0.0.1:1", "--token", "T", "--per-process", "20000"}).error.empty());
    CHECK_FALSE(parse({"--url", "http://127.0.0.1:1", "--token", "T", "--story", "Bad_Slug"}).error.empty());
    CHECK_FALSE(parse({"--url", "http://127.0.0.1:1", "--token", "T", "--bogus", "1"}).error.empty());
    CHECK(parse({"--help"}).help);
}
