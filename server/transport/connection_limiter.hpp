#pragma once
// Open connections per client IP and in all, across all shards. A Ticket
// holds one slot and gives it back when destroyed. The total cap keeps the
// process below its descriptor limit (the store, files and Redis need some):
// a connection past it is answered 503 overloaded instead of the server
// hitting EMFILE, where it could accept no one, editors included.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace liveblog {

class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
public:
    explicit ConnectionLimiter(std::size_t per_ip, std::size_t total = static_cast<std::size_t>(-1))
        : per_ip_(per_ip), max_total_(total) {}

    class Ticket {
    public:
        Ticket() = default;
        Ticket(std::shared_ptr<ConnectionLimiter> owner, std::string ip) : owner_(std::move(owner)), ip_(std::move(ip)) {}
        Ticket(Ticket&& o) noexcept = default;
        Ticket& operator=(Ticket&& o) noexcept {
            release();
            owner_ = std::move(o.owner_);
            ip_ = std::move(o.ip_);
            return *this;
        }
        ~Ticket() { release(); }
        explicit operator bool() const { return owner_ != nullptr; }

    private:
        void release() {
            if (owner_) owner_->release(ip_);
            owner_.reset();
        }
        std::shared_ptr<ConnectionLimiter> owner_;
        std::string ip_;
    };

    enum class Refusal { none, per_ip, total };
    // An empty ticket (and why) when the IP or the server is at its limit.
    Ticket acquire(const std::string& ip, Refusal& why);
    std::size_t open_connections() const;
    std::size_t max_connections() const { return max_total_; }
    bool at_capacity() const { return open_connections() >= max_total_; }
    // EMFILE was met; /readyz reports it for a few seconds after. True when
    // this starts an episode (none in the 5 s before): the one to log.
    bool note_descriptors_exhausted();
    bool descriptors_recently_exhausted() const;

private:
    void release(const std::string& ip);
    std::size_t per_ip_;
    std::size_t max_total_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> counts_;
    std::size_t total_ = 0;
    std::atomic<std::int64_t> exhausted_at_ms_{0};  // steady clock; 0: never
};

}  // namespace liveblog
