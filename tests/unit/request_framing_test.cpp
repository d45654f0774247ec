#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "http/request_framing.hpp"

using namespace liveblog;
namespace http = boost::beast::http;

namespace {
// The framing verdict of a request head with these header fields.
bool refused(const std::vector<std::pair<std::string, std::string>>& fields, unsigned version = 11) {
    http::request_header<> h;
    h.method(http::verb::post);
    h.target("/api/stories");
    h.version(version);
    for (const auto& [name, value] : fields) h.insert(name, value);
    return framing_problem(h).has_value();
}
}  // namespace

TEST_CASE("request framing: unambiguous framings pass", "[http]") {
    CHECK_FALSE(refused({}));
    CHECK_FALSE(refused({{"Content-Length", "0"}}));
    CHECK_FALSE(refused({{"Content-Length", "1024"}}));
    CHECK_FALSE(refused({{"Transfer-Encoding", "chunked"}}));
    CHECK_FALSE(refused({{"Transfer-Encoding", "Chunked"}}));  // coding names are case-insensitive
    CHECK_FALSE(refused({{"Content-Length", "5"}}, 10));
}

TEST_CASE("request framing: every smuggling shape is refused", "[http]") {
    CHECK(refused({{"Transfer-Encoding", "identity"}}));
    CHECK(refused({{"Transfer-Encoding", "gzip, chunked"}}));
    CHECK(refused({{"Transfer-Encoding", "chunked, chunked"}}));
    CHECK(refused({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}));
    CHECK(refused({{"Transfer-Encoding", "xchunked"}}));
    CHECK(refused({{"Transfer-Encoding", "chunked"}, {"Content-Length", "4"}}));
    CHECK(refused({{"Transfer-Encoding", "chunked"}}, 10));
    CHECK(refused({{"Content-Length", "4"}, {"Content-Length", "4"}}));
    CHECK(refused({{"Content-Length", "4, 4"}}));
    CHECK(refused({{"Content-Length", "+4"}}));
    CHECK(refused({{"Content-Length", "-1"}}));
    CHECK(refused({{"Content-Length", "0x10"}}));
    CHECK(refused({{"Content-Length", ""}}));
    CHECK(refused({{"Content-Length", "1234567890123456789"}}));  // 19 digits: could overflow
}
