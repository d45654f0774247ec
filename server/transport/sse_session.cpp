#include "transport/sse_session.hpp"

#include <chrono>

#include "common/log.hpp"

namespace liveblog {

namespace {
// Raw bytes for the stream, kept in a frame's `sse` form so they are written as they are.
FramePtr raw_frame(std::string bytes) { return make_raw_frame({}, std::move(bytes)); }
const FramePtr heartbeat_frame = raw_frame(": heartbeat\n\n");

// What goes on the wire for a frame (replies are wrapped as events in send()).
const std::string& wire_bytes(const FramePtr& f) { return f->sse; }
}  // namespace

SseSession::SseSession(tcp::socket&& socket, std::unique_ptr<TlsChannel> tls, ShardContext& shard, Hub& hub,
                       SseLimits limits, ConnectionLimiter::Ticket ticket, std::string extra_headers)
    : Connection(shard),
      io_(std::move(socket), std::move(tls)),
      hub_(hub),
      limits_(limits),
      ticket_(std::move(ticket)),
      extra_headers_(std::move(extra_headers)),
      handler_(*this, hub, 1, ReaderHandler::OnFailedSubscription::end_connection),
      queue_(limits.max_queue_bytes),
      heartbeat_(io_.socket().get_executor()) {}

SseSession::~SseSession() = default;

void SseSession::start(const std::string& story, const ResumePoint& resume) {
    shard_.open(this, Transport::sse);
    std::string head =
        "HTTP/1.1 200 OK\r\nServer: liveblog\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n" +
        extra_headers_ + "\r\nretry: " + std::to_string(limits_.retry_ms) + "\n\n";
    send(raw_frame(std::move(head)));
    watch_peer();
    schedule_heartbeat();
    handler_.subscribe(SubscribeMessage{story, resume});
}

// The client sends nothing after its request: any plaintext, an end of
// stream or an error means it went away (or misbehaves); either way the
// stream ends. TLS records with no plaintext (a key update) are taken in
// stride.
void SseSession::watch_peer() {
    io_.socket().async_wait(tcp::socket::wait_read, [self = self()](error_code ec) {
        if (self->torn_down_) return;
        if (ec) return self->teardown();
        self->peer_readable();
    });
}

void SseSession::peer_readable() {
    for (;;) {
        std::string_view bytes;
        const auto status = io_.read(shard_.read_scratch, bytes);
        if (status == StreamSocket::Status::would_block) return watch_peer();
        if (status != StreamSocket::Status::ok || !bytes.empty()) return teardown();
        if (io_.output_pending() && !writing_) write_now();
    }
}

void SseSession::schedule_heartbeat() {
    heartbeat_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(limits_.heartbeat_s)));
    heartbeat_.async_wait([self = self()](error_code ec) {
        if (ec || self->torn_down_) return;
        self->send(heartbeat_frame);
        self->schedule_heartbeat();
    });
}

void SseSession::send(const FramePtr& frame) {
    if (closing_ || torn_down_) return;
    FramePtr out = frame->sse.empty() ? raw_frame("data: " + std::string(frame->text()) + "\n\n") : frame;
    if (!queue_.push(out, wire_bytes(out).size())) {
        log_info("sse: slow reader dropped (", queue_.bytes(), " bytes queued)");
        ++shard_.stats.slow_readers_dropped;
        close(0, "slow reader", true);
        return;
    }
    // Corked like a WebSocket: a burst leaves in one write (ShardContext::want_flush).
    if (!writing_ && !flush_pending_) {
        flush_pending_ = true;
        shard_.want_flush(shared_from_this());
    }
}

void SseSession::flush() {
    flush_pending_ = false;
    if (!writing_ && !torn_down_) write_now();
}

void SseSession::write_now() {
    const auto status = drain_queue(io_, queue_, front_written_, wire_bytes, [this](std::size_t size) {
        ++shard_.stats.frames_sent;
        shard_.stats.bytes_sent += size;
    });
    if (status == StreamSocket::Status::would_block) return wait_writable();
    if (status != StreamSocket::Status::ok) return teardown();
    if (closing_) teardown();
}

void SseSession::wait_writable() {
    writing_ = true;
    io_.socket().async_wait(tcp::socket::wait_write, [self = self()](error_code ec) {
        self->writing_ = false;
        if (self->torn_down_) return;
        if (ec) return self->teardown();
        self->write_now();
    });
}

// An event stream has no close frame: a dropped reader is cut at once;
// otherwise the stream ends once the queue is written.
void SseSession::close(unsigned short, std::string, bool drop_queue) {
    if (closing_ || torn_down_) return;
    closing_ = true;
    if (drop_queue) {
        teardown();
    } else if (!writing_ && queue_.empty() && !io_.output_pending()) {
        teardown();
    }
}

void SseSession::teardown() {
    if (torn_down_) return;
    torn_down_ = true;
    shard_.closed(this);
    heartbeat_.cancel();
    handler_.on_close();
    queue_.drop(false);
    io_.close();
}

}  // namespace liveblog
