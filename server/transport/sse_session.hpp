#pragma once
// GET /sse/stories/{id}: the reader feed as Server-Sent Events, for readers
// behind proxies that break WebSocket. The same messages as /ws (one JSON
// object per `data:` line), `id:` = seq on events and snapshots so a browser
// resumes with Last-Event-ID, `retry:` set, comment heartbeats, and the same
// bounded queue: a reader past it is cut and resumes.

#include <memory>

#include "core/hub.hpp"
#include "transport/connection.hpp"
#include "transport/connection_limiter.hpp"
#include "transport/net.hpp"
#include "transport/outbound_queue.hpp"
#include "transport/reader_handler.hpp"
#include "transport/stream_socket.hpp"

namespace liveblog {

struct SseLimits {
    std::size_t max_queue_bytes = 1 << 20;
    double heartbeat_s = 15;
    unsigned retry_ms = 3000;
};

class SseSession : public Connection {
public:
    // `tls`: the connection's TLS, when it arrived on the TLS port (null: plain).
    SseSession(tcp::socket&& socket, std::unique_ptr<TlsChannel> tls, ShardContext& shard, Hub& hub, SseLimits limits,
               ConnectionLimiter::Ticket ticket, std::string extra_headers);
    ~SseSession() override;

    // Writes the response head, then follows `story` from `resume`.
    void start(const std::string& story, const ResumePoint& resume);

    void send(const FramePtr& frame) override;
    void flush() override;
    void close(unsigned short code, std::string reason, bool drop_queue) override;

private:
    void write_now();
    void wait_writable();
    void watch_peer();
    void peer_readable();
    void schedule_heartbeat();
    void teardown();
    std::shared_ptr<SseSession> self() { return std::static_pointer_cast<SseSession>(shared_from_this()); }

    StreamSocket io_;
    Hub& hub_;
    SseLimits limits_;
    ConnectionLimiter::Ticket ticket_;
    std::string extra_headers_;
    ReaderHandler handler_;
    OutboundQueue queue_;
    std::size_t front_written_ = 0;  // bytes of the front frame already taken
    bool writing_ = false;           // waiting for the socket to take more
    bool flush_pending_ = false;     // in the shard's flush list
    net::steady_timer heartbeat_;
};

}  // namespace liveblog
