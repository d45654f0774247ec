#include "transport/connection_limiter.hpp"

#include <chrono>

namespace liveblog {

ConnectionLimiter::Ticket ConnectionLimiter::acquire(const std::string& ip, Refusal& why) {
    std::lock_guard lock(mutex_);
    why = Refusal::none;
    if (total_ >= max_total_) {
        why = Refusal::total;
        return {};
    }
    auto& n = counts_[ip];
    if (n >= per_ip_) {
        if (n == 0) counts_.erase(ip);
        why = Refusal::per_ip;
        return {};
    }
    ++n;
    ++total_;
    return Ticket(shared_from_this(), ip);
}

void ConnectionLimiter::release(const std::string& ip) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(ip);
    if (it == counts_.end()) return;
    --total_;
    if (--it->second == 0) counts_.erase(it);
}

namespace {
std::int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
constexpr std::int64_t exhausted_report_ms = 5000;
}  // namespace

bool ConnectionLimiter::note_descriptors_exhausted() {
    const auto now = std::max<std::int64_t>(1, steady_ms());
    // One exchange: of two shards hitting EMFILE at once, only one starts the episode.
    const auto before = exhausted_at_ms_.exchange(now);
    return before == 0 || now - before >= exhausted_report_ms;
}

bool ConnectionLimiter::descriptors_recently_exhausted() const {
    const auto at = exhausted_at_ms_.load();
    return at != 0 && steady_ms() - at < exhausted_report_ms;
}

std::size_t ConnectionLimiter::open_connections() const {
    std::lock_guard lock(mutex_);
    return total_;
}

}  // namespace liveblog
