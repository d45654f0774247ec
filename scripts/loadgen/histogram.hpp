#pragma once
// Log-linear latency histogram in microseconds, mergeable across processes.
//
// Values below 128 us are counted exactly; above, every power of two is split
// into 64 equal buckets, so a reported percentile is at most 1/64 (1.6 %)
// above the true value. Percentiles report the upper edge of their bucket,
// clamped to the exact min and max. Values from 2^41 us (25 days) up share
// the last bucket. record() never allocates.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liveblog::load {

class Histogram {
public:
    static constexpr unsigned sub_bits = 6;
    static constexpr std::uint64_t linear_limit = std::uint64_t{2} << sub_bits;  // 128
    static constexpr unsigned max_exponent = 40;
    static constexpr std::size_t bucket_count =
        linear_limit + (max_exponent - sub_bits) * (std::size_t{1} << sub_bits);

    Histogram() : counts_(bucket_count, 0) {}

    void record(std::uint64_t value_us);
    void merge(const Histogram& other);
    void reset();

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ ? min_ : 0; }
    std::uint64_t max() const { return max_; }
    double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
    // p in [0, 100]; 0 when empty.
    std::uint64_t percentile(double p) const;

    static std::size_t bucket_of(std::uint64_t value);
    static std::uint64_t bucket_low(std::size_t bucket);
    static std::uint64_t bucket_high(std::size_t bucket);  // inclusive

    // Compact text form for moving a histogram between processes:
    // "n=<count>;s=<sum>;lo=<min>;hi=<max>;b=<bucket>:<count>,..." (non-empty buckets only).
    std::string encode() const;
    static std::optional<Histogram> decode(std::string_view text);

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = ~std::uint64_t{0};
    std::uint64_t max_ = 0;
};

}  // namespace liveblog::load
