#include <catch2/catch.hpp>

#include <cstdint>

#include "histogram.hpp"

using namespace liveblog::load;

TEST_CASE("histogram: empty") {
    Histogram h;
    CHECK(h.count() == 0);
    CHECK(h.percentile(50) == 0);
    CHECK(h.percentile(99.9) == 0);
    CHECK(h.max() == 0);
    CHECK(h.min() == 0);
    CHECK(h.mean() == 0);
}

TEST_CASE("histogram: exact below 128 us") {
    Histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
    CHECK(h.count() == 100);
    CHECK(h.percentile(50) == 50);
    CHECK(h.percentile(90) == 90);
    CHECK(h.percentile(99) == 99);
    CHECK(h.percentile(99.9) == 100);
    CHECK(h.percentile(100) == 100);
    CHECK(h.percentile(0) == 1);
    CHECK(h.max() == 100);
    CHECK(h.min() == 1);
    CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("histogram: buckets tile the range with bounded relative width") {
    for (std::size_t b = 0; b + 1 < Histogram::bucket_count; ++b) {
        INFO(b);
        REQUIRE(Histogram::bucket_high(b) + 1 == Histogram::bucket_low(b + 1));
        REQUIRE(Histogram::bucket_of(Histogram::bucket_low(b)) == b);
        REQUIRE(Histogram::bucket_of(Histogram::bucket_high(b)) == b);
        const double width = static_cast<double>(Histogram::bucket_high(b) - Histogram::bucket_low(b) + 1);
        if (b < Histogram::linear_limit) REQUIRE(width == 1);
        else REQUIRE(width / static_cast<double>(Histogram::bucket_low(b)) <= 1.0 / 64);
    }
    CHECK(Histogram::bucket_of(~std::uint64_t{0}) == Histogram::bucket_count - 1);
}

TEST_CASE("histogram: large values within 1/64, max exact") {
    Histogram h;
    for (std::uint64_t i = 1; i <= 1000; ++i) h.record(i * 1000);  // 1 ms .. 1 s
    const auto near = [](std::uint64_t got, double want) {
        return static_cast<double>(got) >= want && static_cast<double>(got) <= want * (1 + 1.0 / 64);
    };
    CHECK(near(h.percentile(50), 500'000));
    CHECK(near(h.percentile(90), 900'000));
    CHECK(near(h.percentile(99), 990'000));
    CHECK(h.percentile(99.9) <= 1'000'000);
    CHECK(near(h.percentile(99.9), 999'000));
    CHECK(h.max() == 1'000'000);
    CHECK(h.percentile(100) == 1'000'000);  // clamped to the exact max
    CHECK(h.min() == 1000);
}

TEST_CASE("histogram: one outlier shows in p99.9 and max only") {
    Histogram h;
    for (int i = 0; i < 999; ++i) h.record(10);
    h.record(5'000'000);
    CHECK(h.percentile(50) == 10);
    CHECK(h.percentile(99) == 10);
    CHECK(h.percentile(99.9) == 10);
    CHECK(h.percentile(99.95) == 5'000'000);
    CHECK(h.max() == 5'000'000);
}

TEST_CASE("histogram: merge equals recording everything in one") {
    Histogram a, b, all;
    for (std::uint64_t v = 0; v < 5000; v += 3) {
        a.record(v);
        all.record(v);
    }
    for (std::uint64_t v = 7; v < 900000; v += 911) {
        b.record(v);
        all.record(v);
    }
    Histogram merged;
    merged.merge(a);
    merged.merge(b);
    merged.merge(Histogram{});  // empty changes nothing
    CHECK(merged.count() == all.count());
    CHECK(merged.max() == all.max());
    CHECK(merged.min() == all.min());
    CHECK(merged.mean() == Approx(all.mean()));
    for (double p : {50.0, 90.0, 99.0, 99.9}) CHECK(merged.percentile(p) == all.percentile(p));
}

TEST_CASE("histogram: encode and decode round-trip") {
    Histogram h;
    for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 5000ull, 123456789ull}) h.record(v);
    const auto back = Histogram::decode(h.encode());
    REQUIRE(back);
    CHECK(back->count() == h.count());
    CHECK(back->max() == h.max());
    CHECK(back->min() == h.min());
    CHECK(back->mean() == Approx(h.mean()));
    CHECK(back->percentile(50) == h.percentile(50));
    const auto empty = Histogram::decode(Histogram{}.encode());
    REQUIRE(empty);
    CHECK(empty->count() == 0);
    CHECK_FALSE(Histogram::decode("n=2;s=1;lo=1;hi=1;b=1:1"));  // counts disagree
    CHECK_FALSE(Histogram::decode("n=1;s=1;lo=1;hi=1;b=999999:1"));
    CHECK_FALSE(Histogram::decode("garbage"));
}
