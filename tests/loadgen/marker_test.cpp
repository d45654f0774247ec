#include <catch2/catch.hpp>

#include <string>

#include "marker.hpp"

using namespace liveblog::load;

TEST_CASE("marker: written and found again") {
    const Marker m{1764070512345678901ULL, 42};
    const std::string text = make_marker(m);
    CHECK(text == "lbt:1764070512345678901:42:");
    CHECK(find_marker(text) == m);
    CHECK(find_marker("prefix " + text + " padding") == m);
    CHECK(find_marker(make_marker({0, 0})) == Marker{0, 0});
    const Marker biggest{18446744073709551615ULL, 18446744073709551615ULL};
    CHECK(find_marker(make_marker(biggest)) == biggest);
}

TEST_CASE("marker: truncated candidates are not markers") {
    for (const char* s : {"", "lbt", "lbt:", "lbt:123", "lbt:123:", "lbt:123:4", "lbt::4:", "lbt:123::", "xx lbt:12:"}) {
        INFO(s);
        CHECK_FALSE(find_marker(s));
    }
}

TEST_CASE("marker: garbage is skipped up to the first valid marker") {
    CHECK_FALSE(find_marker("lbt:abc:1: lbt:1:x: lbt:-1:2:"));
    CHECK_FALSE(find_marker("lbt:99999999999999999999:1:"));  // overflows 64 bits
    CHECK(find_marker("lbt:abc:1: then lbt:7:8: and lbt:9:10:") == Marker{7, 8});
    CHECK(find_marker("lblbt:5:6:") == Marker{5, 6});
    CHECK(find_marker("lbt:lbt:3:4:") == Marker{3, 4});
    const std::string with_nul = std::string("a\0b lbt:1:2:", 12);
    CHECK(find_marker(with_nul) == Marker{1, 2});
}

TEST_CASE("marker: inside a liveblog event with escapes around it") {
    const std::string event =
        R"({"entry":{"author":{"name":"Marie \"lbt:9:9\" Dupont"},"blocks":[{"text":"lbt:1764070512000000000:17: )"
        R"(quote \" backslash \\ unicode \u00e9 \"lbt:fake\"","type":"text"}],"created_seq":18,"id":"01jd6w3m2p8k4x7q"},)"
        R"("op":"entry.created","seq":18,"story":"load-0","type":"event"})";
    CHECK(find_marker(event) == Marker{1764070512000000000ULL, 17});
    const std::string escaped_before = R"({"text":"\\\"lbt:5:6: rest"})";
    CHECK(find_marker(escaped_before) == Marker{5, 6});
}
