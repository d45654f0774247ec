#include "accounts/login_throttle.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace liveblog::accounts {

LoginThrottle::LoginThrottle(double limit, double window_s, std::size_t max_keys)
    : limit_(std::max(1.0, limit)), rate_(std::max(1.0, limit) / std::max(1.0, window_s)), max_keys_(max_keys) {}

double LoginThrottle::refill(const Bucket& b, Clock::time_point now) const {
    double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.last).count());
    return std::min(limit_, b.tokens + elapsed * rate_);
}

long LoginThrottle::take(const std::string& key, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_) evict(now);
        it = buckets_.emplace(key, Bucket{limit_, now}).first;
    }
    Bucket& b = it->second;
    b.tokens = refill(b, now);
    b.last = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return 0;
    }
    return std::max(1L, static_cast<long>(std::ceil((1.0 - b.tokens) / rate_)));
}

long LoginThrottle::retry_after(const std::string& key, Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) return 0;
    double tokens = refill(it->second, now);
    if (tokens >= 1.0) return 0;
    return std::max(1L, static_cast<long>(std::ceil((1.0 - tokens) / rate_)));
}

std::size_t LoginThrottle::size() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

void LoginThrottle::evict(Clock::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
        it = refill(it->second, now) >= limit_ ? buckets_.erase(it) : std::next(it);
    if (buckets_.size() < max_keys_) return;
    // Every bucket is still draining: drop the least recently touched tenth.
    std::vector<std::pair<Clock::time_point, std::string>> by_age;
    by_age.reserve(buckets_.size());
    for (auto& [k, b] : buckets_) by_age.emplace_back(b.last, k);
    auto cut = by_age.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(1, by_age.size() / 10));
    std::nth_element(by_age.begin(), cut, by_age.end());
    for (auto it = by_age.begin(); it != cut; ++it) buckets_.erase(it->second);
}

}  // namespace liveblog::accounts
