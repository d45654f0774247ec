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

namespace liveblog {

struct SseLimits {
    std::size_t max_queue_bytes = 1 << 20;
    double heartbeat_s = 15;
    unsigned retry_ms = 3000;
};

class SseSession : public Connection {
public:
    SseSession(tcp::socket&& socket, ShardContext& shard, Hub& hub, SseLimits limits, ConnectionLimiter::Ticket ticket,
               std::string extra_headers);
    ~SseSession() override;

    // Writes the response head, then follows `story` from `resume`.
    void start(const std::string& story, const ResumePoint& resume);

    void send(const FramePtr& frame) override;
    void close(unsigned short code, std::string reason, bool drop_queue) override;

private:
    void do_write();
    void on_write(error_code ec, std::size_t bytes);
    void watch_peer();
    void schedule_heartbeat();
    void teardown();
    std::shared_ptr<SseSession> self() { return std::static_pointer_cast<SseSession>(shared_from_this()); }

    tcp::socket socket_;
    Hub& hub_;
    SseLimits limits_;
    ConnectionLimiter::Ticket ticket_;
    std::string extra_headers_;
    ReaderHandler handler_;
    OutboundQueue queue_;
    bool writing_ = false;
    net::steady_timer heartbeat_;
    char peer_byte_ = 0;
};

}  // namespace liveblog
