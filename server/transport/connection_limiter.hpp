#pragma once
// Open connections per client IP, across all shards. A Ticket holds one
// slot and gives it back when destroyed.

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace liveblog {

class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
public:
    explicit ConnectionLimiter(std::size_t per_ip) : per_ip_(per_ip) {}

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

    // An empty ticket when the IP is at its limit.
    Ticket acquire(const std::string& ip);
    std::size_t open_connections() const;

private:
    void release(const std::string& ip);
    std::size_t per_ip_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> counts_;
    std::size_t total_ = 0;
};

}  // namespace liveblog
