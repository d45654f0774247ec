#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>

#include "common/config.hpp"
#include "common/error_code.hpp"

using namespace liveblog;

TEST_CASE("config: flags override the file - and both are checked") {
    std::string path = "/tmp/liveblog-config-test.json";
    {
        std::ofstream out(path);
        out << R"({"listen":"0.0.0.0:9000","threads":3,"max_queue_bytes":4096,"demo":false})";
    }
    Config c;
    REQUIRE(parse_server_args(c, {"--config", path, "--threads", "1", "--listen", "127.0.0.1:0"}));
    CHECK(c.threads == 1);                 // flag wins
    CHECK(c.max_queue_bytes == 4096);      // from the file
    CHECK(c.demo == false);
    CHECK(c.listen_host == "127.0.0.1");
    CHECK(c.listen_port == 0);

    Config d;
    CHECK_FALSE(parse_server_args(d, {"--help"}));
    CHECK_THROWS_WITH(parse_server_args(d, {"--bogus", "1"}), Catch::Contains("unknown flag"));
    CHECK_THROWS_WITH(parse_server_args(d, {"--threads", "many"}), Catch::Contains("expected a number"));
    CHECK_THROWS_WITH(parse_server_args(d, {"--listen", "nope"}), Catch::Contains("HOST:PORT"));
    CHECK_THROWS(parse_server_args(d, {"--threads"}));
    {
        std::ofstream out(path);
        out << R"({"max_queue_bytes":"big"})";
    }
    CHECK_THROWS_WITH(parse_server_args(d, {"--config", path}), Catch::Contains("max_queue_bytes"));
    {
        std::ofstream out(path);
        out << R"({"no_such_key":1})";
    }
    CHECK_THROWS_WITH(parse_server_args(d, {"--config", path}), Catch::Contains("unknown key"));
    std::remove(path.c_str());
}

TEST_CASE("every error code has a distinct wire name and a sensible status") {
    std::set<std::string_view> names;
    for (int i = 0; i <= static_cast<int>(ErrorCode::internal); ++i) {
        const auto& info = error_info(static_cast<ErrorCode>(i));
        CHECK(static_cast<int>(info.code) == i);
        CHECK(names.insert(info.wire).second);
        CHECK(info.http_status >= 200);
        CHECK(info.http_status < 600);
    }
    CHECK(error_info(ErrorCode::version_conflict).http_status == 409);
    CHECK(error_info(ErrorCode::store_unavailable).retryable);
}
