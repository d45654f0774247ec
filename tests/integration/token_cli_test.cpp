// `liveblog-server token`: what an operator types is checked before anything
// is signed; a bad value exits 2 with a message naming the flag, and never
// mints a token the server would refuse.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "core/jwt.hpp"
#include "support/cli_run.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {
CliRun run_token(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"token"};
    all.insert(all.end(), args.begin(), args.end());
    return run_server_cli(all);
}
}  // namespace

TEST_CASE("token CLI: a good request mints a token the server accepts") {
    auto r = run_token({"--sub", "Marie Dupont", "--role", "editor", "--story", "soir-electoral", "--ttl", "2h"});
    REQUIRE(r.status == 0);
    const std::string token = r.output.substr(0, r.output.find('\n'));
    const auto now = liveblog::now_millis() / 1000;
    const auto claims = liveblog::verify_token(token, test_secret, now);
    CHECK(claims.sub == "Marie Dupont");
    CHECK(claims.exp >= now + 7200 - 5);
    CHECK(claims.exp <= now + 7200 + 5);
    REQUIRE(claims.stories);
    CHECK(*claims.stories == std::vector<std::string>{"soir-electoral"});
}

TEST_CASE("token CLI: every bad input exits 2 with a message naming what is wrong") {
    struct Case {
        std::vector<std::string> args;
        const char* says;
    };
    const std::vector<Case> cases = {
        {{"--sub", "a", "--role", "editor", "--ttl", "99999999999d"}, "--ttl"},  // exp overflow
        {{"--sub", "a", "--role", "editor", "--ttl", "3661d"}, "10 years"},
        {{"--sub", "a", "--role", "editor", "--ttl", "0"}, "--ttl"},
        {{"--sub", "a", "--role", "editor", "--ttl", "-5m"}, "--ttl"},
        {{"--sub", "a", "--role", "editor", "--ttl", "12x"}, "--ttl"},
        {{"--sub", "a", "--role", "editor", "--ttl", "1e9"}, "--ttl"},
        {{"--sub", "a", "--role", "editor", "--ttl", ""}, "--ttl"},
        {{"--sub", "a", "--role", "owner"}, "--role"},
        {{"--sub", "a", "--role", "editor", "--story", "Pas Un Slug"}, "--story"},
        {{"--sub", "a\x01" "b", "--role", "editor"}, "--sub"},
        {{"--sub", std::string(501, 'a'), "--role", "editor"}, "--sub"},
        {{"--sub", "", "--role", "editor"}, "--sub"},
        {{"--role", "editor"}, "--sub"},
        {{"--sub", "a", "--role"}, "needs a value"},
        {{"--sub", "a", "--role", "editor", "--frobnicate", "1"}, "unknown flag"},
    };
    for (const auto& c : cases) {
        const auto r = run_token(c.args);
        INFO(r.output);
        CHECK(r.status == 2);
        CHECK(r.output.find(c.says) != std::string::npos);
        CHECK(r.output.find("eyJ") == std::string::npos);  // nothing was signed
    }
}
