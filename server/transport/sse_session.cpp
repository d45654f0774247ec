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

SseSession::SseSession(tcp::socket&& socket, ShardContext& shard, Hub& hub, SseLimits limits,
                       ConnectionLimiter::Ticket ticket, std::string extra_headers)
    : Connection(shard),
      socket_(std::move(socket)),
      hub_(hub),
      limits_(limits),
      ticket_(std::move(ticket)),
      extra_headers_(std::move(extra_headers)),
      handler_(*this, hub, 1, ReaderHandler::OnFailedSubscription::end_connection),
      queue_(limits.max_queue_bytes),
      heartbeat_(socket_.get_executor()) {}

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

// The client sends nothing after its request: any read completion means it
// went away (or misbehaves); either way the stream ends.
void SseSession::watch_peer() {
    socket_.async_read_some(net::buffer(&peer_byte_, 1), [self = self()](error_code, std::size_t) {
        self->teardown();
    });
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
    if (!writing_) do_write();
}

void SseSession::do_write() {
    writing_ = true;
    net::async_write(socket_, net::buffer(wire_bytes(queue_.front())),
                     beast::bind_front_handler(&SseSession::on_write, self()));
}

void SseSession::on_write(error_code ec, std::size_t bytes) {
    writing_ = false;
    if (ec || torn_down_) {
        teardown();
        return;
    }
    ++shard_.stats.frames_sent;
    shard_.stats.bytes_sent += bytes;
    queue_.pop();
    if (!queue_.empty())
        do_write();
    else if (closing_)
        teardown();
}

// An event stream has no close frame: a dropped reader is cut at once (the
// frame being written stays queued until its write completes with an
// error); otherwise the stream ends once the queue is written.
void SseSession::close(unsigned short, std::string, bool drop_queue) {
    if (closing_ || torn_down_) return;
    closing_ = true;
    if (drop_queue) {
        queue_.drop(writing_);
        teardown();
    } else if (!writing_ && queue_.empty()) {
        teardown();
    }
}

void SseSession::teardown() {
    if (torn_down_) return;
    torn_down_ = true;
    shard_.closed(this);
    heartbeat_.cancel();
    handler_.on_close();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace liveblog
