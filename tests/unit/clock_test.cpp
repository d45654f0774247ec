// ISO 8601 times as clients send them (publish_at) and as the server writes them.
#include <catch2/catch.hpp>

#include "common/clock.hpp"

using namespace liveblog;

TEST_CASE("iso 8601: what format_iso8601 writes parses back to the same instant") {
    for (Millis t : {Millis(0), Millis(1'800'000'000'123), Millis(253'402'300'799'999)})
        CHECK(parse_iso8601(format_iso8601(t)) == t);
}

TEST_CASE("iso 8601: seconds and fractions are optional - offsets are applied") {
    const Millis base = *parse_iso8601("2026-12-07T21:00:00.000Z");
    CHECK(parse_iso8601("2026-12-07T21:00Z") == base);
    CHECK(parse_iso8601("2026-12-07T21:00:00Z") == base);
    CHECK(parse_iso8601("2026-12-07T21:00:00.5Z") == base + 500);
    CHECK(parse_iso8601("2026-12-07T21:00:00.123456Z") == base + 123);
    CHECK(parse_iso8601("2026-12-07T22:00+01:00") == base);
    CHECK(parse_iso8601("2026-12-07T16:30:00-04:30") == base);
}

TEST_CASE("iso 8601: anything else is refused") {
    for (const char* bad : {"", "demain", "2026-12-07", "2026-12-07 21:00Z", "2026-12-07T21:00", "2026-13-07T21:00Z",
                            "2026-12-32T21:00Z", "2026-12-07T24:00Z", "2026-12-07T21:60Z", "2026-12-07T21:00:00.Z",
                            "2026-12-07T21:00+0100", "2026-12-07T21:00Zjunk", "2026-12-07T21:00+25:00", "２026-12-07T21:00Z"})
        CHECK_FALSE(parse_iso8601(bad));
}
