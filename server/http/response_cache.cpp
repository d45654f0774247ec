#include "http/response_cache.hpp"

#include "common/metrics.hpp"

namespace liveblog {

ResponseCache::ResponseCache(std::size_t max_bytes, MetricsRegistry& metrics)
    : max_bytes_(max_bytes),
      hits_(metrics.counter("liveblog_read_cache_total", "Cached reads (pages, API pages) by outcome",
                            {{"outcome", "hit"}})),
      misses_(metrics.counter("liveblog_read_cache_total", "Cached reads (pages, API pages) by outcome",
                              {{"outcome", "render"}})),
      coalesced_(metrics.counter("liveblog_read_cache_total", "Cached reads (pages, API pages) by outcome",
                                 {{"outcome", "coalesced"}})) {}

void ResponseCache::get(const std::string& key, const std::string& epoch, std::uint64_t seq, Waiter waiter,
                        const Render& render) {
    EncodedResponsePtr hit;
    std::shared_ptr<Flight> flight;
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(key); it != entries_.end()) {
            const Rendered& r = it->second.value;
            if (r.epoch == epoch && r.seq >= seq) {
                lru_.splice(lru_.begin(), lru_, it->second.lru);
                hit = r.response;
            }
        }
        if (hit) {
            hits_.inc();
        } else if (auto it = flights_.find(key);
                   it != flights_.end() && it->second->epoch == epoch && it->second->seq >= seq) {
            it->second->waiters.push_back(std::move(waiter));
            coalesced_.inc();
            return;
        } else {
            // No render that will be fresh enough: this one becomes the flight to join.
            flight = std::make_shared<Flight>();
            flight->epoch = epoch;
            flight->seq = seq;
            flight->waiters.push_back(std::move(waiter));
            flights_[key] = flight;
            misses_.inc();
        }
    }
    // Outside the lock: a waiter or a render may do anything.
    if (hit) return waiter(hit);
    render([this, key, flight](Rendered r) { finish(key, flight, std::move(r)); });
}

void ResponseCache::finish(const std::string& key, const std::shared_ptr<Flight>& flight, Rendered r) {
    std::vector<Waiter> waiters;
    {
        std::lock_guard lock(mutex_);
        if (auto it = flights_.find(key); it != flights_.end() && it->second == flight) flights_.erase(it);
        waiters = std::move(flight->waiters);
        const bool keep = r.cacheable && r.response && r.response->bytes() <= max_bytes_ / 4;
        auto it = entries_.find(key);
        // A slower render of an older state never replaces a newer entry.
        const bool newer = it == entries_.end() || it->second.value.epoch != r.epoch || it->second.value.seq <= r.seq;
        if (keep && newer) {
            if (it != entries_.end()) {
                bytes_ -= it->second.value.response->bytes();
                lru_.erase(it->second.lru);
                entries_.erase(it);
            }
            lru_.push_front(key);
            bytes_ += r.response->bytes();
            entries_.emplace(key, Entry{r, lru_.begin()});
            evict_locked();
        }
    }
    for (auto& w : waiters) w(r.response);
}

void ResponseCache::evict_locked() {
    while (bytes_ > max_bytes_ && !lru_.empty()) {
        auto it = entries_.find(lru_.back());
        bytes_ -= it->second.value.response->bytes();
        entries_.erase(it);
        lru_.pop_back();
    }
}

std::size_t ResponseCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t ResponseCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace liveblog
