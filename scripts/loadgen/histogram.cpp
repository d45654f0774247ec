#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

namespace liveblog::load {

std::size_t Histogram::bucket_of(std::uint64_t v) {
    if (v < linear_limit) return static_cast<std::size_t>(v);
    constexpr std::uint64_t top = (std::uint64_t{1} << (max_exponent + 1)) - 1;
    v = std::min(v, top);
    const unsigned e = 63u - static_cast<unsigned>(std::countl_zero(v));  // >= sub_bits + 1
    const std::uint64_t sub = (v >> (e - sub_bits)) - (std::uint64_t{1} << sub_bits);
    return static_cast<std::size_t>(linear_limit + (e - sub_bits - 1) * (std::uint64_t{1} << sub_bits) + sub);
}

std::uint64_t Histogram::bucket_low(std::size_t b) {
    if (b < linear_limit) return b;
    const std::uint64_t k = b - linear_limit;
    const unsigned e = static_cast<unsigned>(k >> sub_bits) + sub_bits + 1;
    const std::uint64_t sub = k & ((std::uint64_t{1} << sub_bits) - 1);
    return ((std::uint64_t{1} << sub_bits) + sub) << (e - sub_bits);
}

std::uint64_t Histogram::bucket_high(std::size_t b) {
    if (b < linear_limit) return b;
    const unsigned e = static_cast<unsigned>((b - linear_limit) >> sub_bits) + sub_bits + 1;
    return bucket_low(b) + (std::uint64_t{1} << (e - sub_bits)) - 1;
}

void Histogram::record(std::uint64_t v) {
    ++counts_[bucket_of(v)];
    ++count_;
    sum_ += v;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
}

void Histogram::merge(const Histogram& o) {
    if (o.count_ == 0) return;
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += o.counts_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
}

void Histogram::reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    sum_ = 0;
    min_ = ~std::uint64_t{0};
    max_ = 0;
}

std::uint64_t Histogram::percentile(double p) const {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    // The epsilon keeps 99.9 % of 1000 at rank 999 despite 0.999 * 1000 = 999.0000000000001.
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_) - 1e-9));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < bucket_count; ++b) {
        seen += counts_[b];
        if (seen >= rank) return std::clamp(bucket_high(b), min_, max_);
    }
    return max_;
}

std::string Histogram::encode() const {
    std::string out = "n=" + std::to_string(count_) + ";s=" + std::to_string(sum_) + ";lo=" + std::to_string(min()) +
                      ";hi=" + std::to_string(max_) + ";b=";
    bool first = true;
    for (std::size_t b = 0; b < bucket_count; ++b) {
        if (counts_[b] == 0) continue;
        if (!first) out.push_back(',');
        first = false;
        out += std::to_string(b);
        out.push_back(':');
        out += std::to_string(counts_[b]);
    }
    return out;
}

std::optional<Histogram> Histogram::decode(std::string_view text) {
    Histogram h;
    std::uint64_t n = 0, s = 0, lo = 0, hi = 0;
    auto field = [&text](std::string_view name, std::uint64_t& out) {
        if (text.substr(0, name.size()) != name) return false;
        text.remove_prefix(name.size());
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (ec != std::errc{} || p == text.data()) return false;
        text.remove_prefix(static_cast<std::size_t>(p - text.data()));
        return true;
    };
    if (!field("n=", n) || !field(";s=", s) || !field(";lo=", lo) || !field(";hi=", hi)) return std::nullopt;
    if (text.substr(0, 3) != ";b=") return std::nullopt;
    text.remove_prefix(3);
    std::uint64_t total = 0;
    while (!text.empty()) {
        std::uint64_t b = 0, c = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), b);
        if (ec != std::errc{} || p == text.data() || b >= bucket_count) return std::nullopt;
        text.remove_prefix(static_cast<std::size_t>(p - text.data()));
        if (!field(":", c)) return std::nullopt;
        h.counts_[b] += c;
        total += c;
        if (!text.empty()) {
            if (text[0] != ',') return std::nullopt;
            text.remove_prefix(1);
        }
    }
    if (total != n) return std::nullopt;
    h.count_ = n;
    h.sum_ = s;
    h.min_ = n ? lo : ~std::uint64_t{0};
    h.max_ = hi;
    return h;
}

}  // namespace liveblog::load
