#include "transport/connection_limiter.hpp"

namespace liveblog {

ConnectionLimiter::Ticket ConnectionLimiter::acquire(const std::string& ip) {
    std::lock_guard lock(mutex_);
    auto& n = counts_[ip];
    if (n >= per_ip_) {
        if (n == 0) counts_.erase(ip);
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

std::size_t ConnectionLimiter::open_connections() const {
    std::lock_guard lock(mutex_);
    return total_;
}

}  // namespace liveblog
