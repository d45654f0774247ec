#include <catch2/catch.hpp>

#include <string>

#include "core/bounded_json.hpp"

using namespace liveblog;

namespace {
JsonRefusal refusal_of(const std::string& text, const JsonLimits& limits = {}) {
    JsonRefusal r = JsonRefusal::none;
    (void)parse_bounded_json(text, limits, r);
    return r;
}
std::string nested(std::size_t depth, char open, char close) {
    return std::string(depth, open) + std::string(depth, close);
}
}  // namespace

TEST_CASE("bounded json: a document within every limit parses whole", "[json]") {
    JsonRefusal r = JsonRefusal::none;
    const auto j = parse_bounded_json(R"({"a":[1,2,{"b":"\u00e9"}],"c":null})", {}, r);
    REQUIRE(r == JsonRefusal::none);
    CHECK(j["a"][2]["b"] == "\xc3\xa9");
    CHECK(j["c"].is_null());
}

TEST_CASE("bounded json: depth is counted for arrays and objects alike, the limit itself allowed", "[json]") {
    JsonLimits limits;
    limits.max_depth = 64;
    CHECK(refusal_of(nested(64, '[', ']'), limits) == JsonRefusal::none);
    CHECK(refusal_of(nested(65, '[', ']'), limits) == JsonRefusal::too_deep);
    std::string objects;
    for (int i = 0; i < 65; ++i) objects += R"({"k":)";
    objects += "1" + std::string(65, '}');
    CHECK(refusal_of(objects, limits) == JsonRefusal::too_deep);
    // The body that crashed the server: 200,000 levels, refused without recursion.
    CHECK(refusal_of(R"({"blocks":)" + nested(200000, '[', ']') + "}") == JsonRefusal::too_deep);
}

TEST_CASE("bounded json: size, string length and element count", "[json]") {
    JsonLimits limits;
    limits.max_bytes = 100;
    limits.max_string_bytes = 10;
    limits.max_elements = 5;
    CHECK(refusal_of(std::string(101, ' ') + "1", limits) == JsonRefusal::too_large);
    CHECK(refusal_of(R"(["0123456789"])", limits) == JsonRefusal::none);
    CHECK(refusal_of(R"(["0123456789a"])", limits) == JsonRefusal::too_long);
    CHECK(refusal_of(R"({"0123456789a":1})", limits) == JsonRefusal::too_long);  // keys too
    CHECK(refusal_of("[1,2,3,4]", limits) == JsonRefusal::none);                 // 5 values with the array
    CHECK(refusal_of("[1,2,3,4,5]", limits) == JsonRefusal::too_many);
    CHECK(refusal_of(R"({"a":1,"b":2,"c":3})", limits) == JsonRefusal::too_many);  // keys count
}

TEST_CASE("bounded json: not UTF-8 and not JSON", "[json]") {
    CHECK(refusal_of("[\"\xff\"]") == JsonRefusal::not_utf8);
    CHECK(refusal_of("[\"\xed\xa0\x80\"]") == JsonRefusal::not_utf8);  // a surrogate, encoded
    CHECK(refusal_of("{\"a\":") == JsonRefusal::syntax);
    CHECK(refusal_of("") == JsonRefusal::syntax);
    CHECK(refusal_of("[1] [2]") == JsonRefusal::syntax);
    CHECK(refusal_of("[NaN]") == JsonRefusal::syntax);
}

TEST_CASE("bounded json: every refusal has words naming its limit", "[json]") {
    const JsonLimits limits;
    CHECK(describe(JsonRefusal::too_deep, limits).find("64") != std::string::npos);
    for (auto r : {JsonRefusal::not_utf8, JsonRefusal::too_large, JsonRefusal::too_long, JsonRefusal::too_many,
                   JsonRefusal::syntax, JsonRefusal::not_object})
        CHECK_FALSE(describe(r, limits).empty());
}
