#pragma once
// One WebSocket connection: read loop, bounded outbound queue, timeouts,
// rate limit and close. What the messages mean is the MessageHandler's
// business (reader_handler, admin_handler): this class knows no protocol.
//
// Threading: see Connection.
// Bounds: the outbound queue holds at most max_queue_bytes; a frame that
// would pass it closes the connection with 4008 (slow_reader) and drops the
// queue, so a slow reader never holds memory or slows anyone else.

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "common/token_bucket.hpp"
#include "transport/connection.hpp"
#include "transport/connection_limiter.hpp"
#include "transport/net.hpp"
#include "transport/outbound_queue.hpp"

namespace liveblog {

class MessageHandler {
public:
    virtual ~MessageHandler() = default;
    virtual void on_open() {}
    virtual void on_message(std::string_view text) = 0;
    // Called once, on the shard's thread, when the connection is gone:
    // detach from everything that may still refer to this session.
    virtual void on_close() = 0;
};

struct WsLimits {
    std::size_t max_message_bytes = 16 << 10;
    std::size_t max_queue_bytes = 1 << 20;
    double handshake_timeout_s = 10;
    double idle_timeout_s = 60;
    double messages_per_s = 20;
    double burst = 40;
};

class WsSession : public Connection {
public:
    WsSession(tcp::socket&& socket, ShardContext& shard, Transport transport, WsLimits limits,
              ConnectionLimiter::Ticket ticket);
    ~WsSession() override;

    void set_handler(std::unique_ptr<MessageHandler> handler) { handler_ = std::move(handler); }
    void start(http::request<http::string_body> upgrade);

    void send(const FramePtr& frame) override;
    // Sends a close frame after what is queued (or at once, dropping the
    // queue); the connection is cut if the peer does not answer in 5 s.
    void close(unsigned short code, std::string reason, bool drop_queue) override;

private:
    void on_accept(error_code ec);
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    void do_write();
    void on_write(error_code ec, std::size_t bytes);
    void do_close();
    void teardown();
    std::shared_ptr<WsSession> self() { return std::static_pointer_cast<WsSession>(shared_from_this()); }

    websocket::stream<beast::tcp_stream> ws_;
    Transport transport_;
    WsLimits limits_;
    ConnectionLimiter::Ticket ticket_;
    std::unique_ptr<MessageHandler> handler_;
    beast::flat_buffer buffer_;
    OutboundQueue queue_;
    bool writing_ = false;
    bool close_sent_ = false;
    websocket::close_reason close_reason_;
    std::unique_ptr<net::steady_timer> close_timer_;  // made only when closing
    TokenBucket bucket_;
    int rejected_in_a_row_ = 0;
};

}  // namespace liveblog
