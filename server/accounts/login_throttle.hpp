#pragma once
// Sign-in throttling: a token bucket per key (an account's email, a client
// address) holding `limit` attempts that refill evenly over `window`. An
// empty bucket refuses the attempt before the password is even hashed, so a
// guessing flood costs the server no Argon2 time. Per node: in cluster mode
// each node counts on its own (documented).
//
// Memory is bounded: past max_keys, buckets that have refilled are dropped
// (they hold nothing a new bucket would not), and if every bucket is still
// draining the oldest-touched ones go.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace liveblog::accounts {

class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;
    LoginThrottle(double limit, double window_s, std::size_t max_keys = 100000);

    // Takes one attempt from key's bucket; 0 if it had one, else the seconds
    // until it will (rounded up, at least 1).
    long take(const std::string& key, Clock::time_point now = Clock::now());
    // Whether key's bucket is empty now, without taking.
    long retry_after(const std::string& key, Clock::time_point now = Clock::now()) const;
    std::size_t size() const;

private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    double refill(const Bucket& b, Clock::time_point now) const;
    void evict(Clock::time_point now);  // caller holds mutex_

    double limit_, rate_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace liveblog::accounts
