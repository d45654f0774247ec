#pragma once
// What a reader or editor protocol needs from its connection, whatever the
// transport (WebSocket or Server-Sent Events): send frames through a
// bounded queue, close, and be reached safely from other threads.
//
// Threading: everything runs on the shard's thread. Other threads reach a
// connection only through post_to() with a weak_ptr.

#include <chrono>
#include <memory>
#include <string>

#include "core/frame.hpp"
#include "transport/shard_context.hpp"

namespace liveblog {

class Connection : public std::enable_shared_from_this<Connection> {
public:
    explicit Connection(ShardContext& shard) : shard_(shard) {}
    // Invariant: an open connection always has an operation pending (a read,
    // a write, or its place in the flush list), which keeps it alive until
    // teardown unlists it (ShardContext::closed). Were that broken, the
    // shard's list would point at freed memory: this unlists it, loudly.
    virtual ~Connection();

    virtual void send(const FramePtr& frame) = 0;
    void send_text(std::string text) { send(make_frame({}, 0, std::move(text))); }
    // Ends the connection (WebSocket: a close frame with `code` after what is
    // queued, or at once when drop_queue).
    virtual void close(unsigned short code, std::string reason, bool drop_queue) = 0;
    // Writes what send() queued (see ShardContext::want_flush).
    virtual void flush() {}
    // What the peer may send from now on: largest message, messages per
    // second and burst (an editor's connection: the reader's until it
    // authenticates). Transports that read nothing ignore it.
    virtual void set_inbound_limits(std::size_t max_message_bytes, double messages_per_s, double burst) {}
    // Once a second, from the shard: keepalive and deadlines.
    virtual void tick(std::chrono::steady_clock::time_point now) {}

    ShardContext& shard_context() { return shard_; }
    std::weak_ptr<Connection> weak() { return weak_from_this(); }
    bool closing() const { return closing_; }

    // Runs fn(connection) on its thread, if it is still open then.
    template <class F>
    static void post_to(const std::weak_ptr<Connection>& weak, ShardContext& shard, F&& fn) {
        net::post(shard.ioc, [weak, fn = std::forward<F>(fn)]() mutable {
            if (auto self = weak.lock())
                if (!self->torn_down_) fn(*self);
        });
    }

protected:
    ShardContext& shard_;
    bool closing_ = false;
    bool torn_down_ = false;

private:
    friend struct ShardContext;
    // Where the connection sits in its shard's session list while open.
    static constexpr std::size_t not_listed = static_cast<std::size_t>(-1);
    std::size_t session_index_ = not_listed;
    Transport transport_listed_ = Transport::websocket;  // what open() counted it as
};

}  // namespace liveblog
