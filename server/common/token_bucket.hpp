#pragma once
// Rate limit for inbound messages: `rate` per second, bursts up to `burst`.
#include <algorithm>
#include <chrono>

namespace liveblog {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;
    TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst), last_(Clock::now()) {}

    bool take(Clock::time_point now = Clock::now()) {
        double elapsed = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

private:
    double rate_, burst_, tokens_;
    Clock::time_point last_;
};

}  // namespace liveblog
