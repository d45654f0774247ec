#pragma once
// One WebSocket connection (RFC 6455, server side) straight on the TCP
// socket: handshake answer, frame parsing, bounded outbound queue, keepalive,
// rate limit and close. What the messages mean is the MessageHandler's
// business (reader_handler, admin_handler): this class knows no protocol.
//
// Why not Beast's websocket::stream: it costs ~3 KiB per connection and a
// copy of every frame per reader. Here an idle reader holds no buffer at all
// (reads go through the shard's scratch buffer; only a frame split across
// reads is kept), frames are the shared, prebuilt Frame::ws bytes, and
// everything queued for a reader leaves in one gather write (StreamSocket:
// plain, or one TLS batch).
//
// Threading: see Connection. Writes are corked: send() queues and asks the
// shard for a flush, which runs after the shard's pending tasks, so a burst
// of events reaches each reader in one writev.
// Bounds: the outbound queue holds at most max_queue_bytes; a frame that
// would pass it closes the connection with 4008 (slow_reader) and drops the
// queue, so a slow reader never holds memory or slows anyone else.
// Timers: none per connection. The shard's once-a-second tick() sends
// keepalive pings, cuts silent peers and enforces the close deadline.

#include <chrono>
#include <memory>
#include <string>

#include "common/token_bucket.hpp"
#include "transport/connection.hpp"
#include "transport/connection_limiter.hpp"
#include "transport/net.hpp"
#include "transport/outbound_queue.hpp"
#include "transport/stream_socket.hpp"
#include "websocket/frame_parser.hpp"

namespace liveblog {

class MessageHandler {
public:
    virtual ~MessageHandler() = default;
    virtual void on_open() {}
    virtual void on_message(std::string_view text) = 0;
    // The answer to a message dropped by the rate limit. The editors' handler
    // names the command's request_id, so a client knows which to send again.
    virtual std::string rate_limited_reply(std::string_view text);
    // Called once, on the shard's thread, when the connection is gone:
    // detach from everything that may still refer to this session.
    virtual void on_close() = 0;
};

struct WsLimits {
    std::size_t max_message_bytes = 16 << 10;
    std::size_t max_queue_bytes = 1 << 20;
    double idle_timeout_s = 60;  // a ping after half of it without a word from the peer, cut after all of it
    double messages_per_s = 20;
    double burst = 40;
    bool deflate = true;         // accept permessage-deflate when the client offers it
};

class WsSession : public Connection, private ws::FrameSink {
public:
    // `tls`: the connection's TLS, when it arrived on the TLS port (null: plain).
    WsSession(tcp::socket&& socket, std::unique_ptr<TlsChannel> tls, ShardContext& shard, Transport transport,
              WsLimits limits, ConnectionLimiter::Ticket ticket);
    ~WsSession() override;

    void set_handler(std::unique_ptr<MessageHandler> handler) { handler_ = std::move(handler); }
    // Answers the upgrade request: 101 and the connection is open, or
    // 400/426 when it is not a valid RFC 6455 version 13 handshake.
    // `early` are bytes the client sent right behind the request (already
    // read with it): they are parsed as frames before anything else.
    void start(const http::request<http::string_body>& upgrade, std::string_view early = {});

    void send(const FramePtr& frame) override;
    // Sends a close frame after what is queued (or at once, dropping the
    // queue); the connection is cut if the peer does not answer in 5 s.
    void close(unsigned short code, std::string reason, bool drop_queue) override;
    void flush() override;
    void set_inbound_limits(std::size_t max_message_bytes, double messages_per_s, double burst) override;
    void tick(std::chrono::steady_clock::time_point now) override;

private:
    // ws::FrameSink
    void on_message(std::string_view payload, bool text) override;
    void on_ping(std::string_view payload) override;
    void on_pong(std::string_view payload) override;
    void on_close(std::uint16_t code, std::string_view reason) override;

    void read_ready();
    // Parses bytes read from the peer; false when the connection was failed.
    bool consume(std::string_view bytes);
    void wait_readable();
    bool enqueue(FramePtr frame);
    // Every message and control frame takes a token; false when the peer is
    // over its rate (and, 20 times in a row, the connection is closed 4029).
    bool within_rate();
    void schedule_flush();
    void write_now();
    void wait_writable();
    void begin_close(std::uint16_t code, std::string_view reason, bool drop_queue);
    void refuse_handshake(http::status status, std::string_view why);
    void teardown();
    std::shared_ptr<WsSession> self() { return std::static_pointer_cast<WsSession>(shared_from_this()); }

    StreamSocket io_;
    Transport transport_;
    WsLimits limits_;
    ConnectionLimiter::Ticket ticket_;
    std::unique_ptr<MessageHandler> handler_;
    ws::FrameParser parser_;
    OutboundQueue queue_;
    std::size_t front_written_ = 0;  // bytes of the front frame already on the wire
    TokenBucket bucket_;
    std::chrono::steady_clock::time_point last_heard_;
    std::chrono::steady_clock::time_point close_deadline_;
    int rejected_in_a_row_ = 0;
    bool open_ = false;            // the handshake was accepted
    bool deflate_ = false;         // permessage-deflate was negotiated
    bool answer_pending_ = false;  // the 101 answer is still at the front of the queue
    bool writing_ = false;         // waiting for the socket to take more
    bool flush_pending_ = false;   // in the shard's flush list
    bool ping_outstanding_ = false;
    bool close_queued_ = false;    // our close frame (or a refused handshake's answer) is the queue's last item
    bool close_sent_ = false;      // ... and it is on the wire
    bool close_received_ = false;  // the peer's close frame arrived
};

}  // namespace liveblog
