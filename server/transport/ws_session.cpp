#include "transport/ws_session.hpp"

#include <chrono>

#include "common/error_code.hpp"
#include "common/log.hpp"
#include "protocol/codec.hpp"

namespace liveblog {

namespace {
constexpr int max_rejected_in_a_row = 20;  // then the connection is closed as flooding
constexpr auto close_grace = std::chrono::seconds(5);

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}
}  // namespace

WsSession::WsSession(tcp::socket&& socket, ShardContext& shard, Transport transport, WsLimits limits,
                     ConnectionLimiter::Ticket ticket)
    : Connection(shard),
      ws_(std::move(socket)),
      transport_(transport),
      limits_(limits),
      ticket_(std::move(ticket)),
      queue_(limits.max_queue_bytes),
      bucket_(limits.messages_per_s, limits.burst) {}

WsSession::~WsSession() = default;

void WsSession::start(http::request<http::string_body> upgrade) {
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream's own timeouts take over
    websocket::stream_base::timeout t{};
    t.handshake_timeout = seconds(limits_.handshake_timeout_s);
    t.idle_timeout = seconds(limits_.idle_timeout_s);
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "liveblog"); }));
    ws_.read_message_max(limits_.max_message_bytes);
    ws_.auto_fragment(false);
    ws_.text(true);
    ws_.async_accept(upgrade, beast::bind_front_handler(&WsSession::on_accept, self()));
}

void WsSession::on_accept(error_code ec) {
    if (ec) {
        if (!is_benign(ec)) log_debug("ws: handshake failed: ", ec.message());
        torn_down_ = true;  // never opened: the handler has nothing to detach
        return;
    }
    shard_.open(this, transport_);
    if (handler_) handler_->on_open();
    do_read();
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

void WsSession::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, self()));
}

void WsSession::on_read(error_code ec, std::size_t) {
    if (ec) {
        if (!is_benign(ec)) log_debug("ws: read ended: ", ec.message());
        teardown();
        return;
    }
    std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (closing_) {
        // After we started closing, input is ignored until the peer's close frame.
    } else if (!bucket_.take()) {
        if (++rejected_in_a_row_ >= max_rejected_in_a_row)
            close(close_code::flooding, "flooding", true);
        else
            send_text(encode_error(ErrorCode::rate_limited, "too many messages; slow down"));
    } else {
        rejected_in_a_row_ = 0;
        if (handler_) handler_->on_message(text);
    }
    buffer_.consume(buffer_.size());
    // Readers send a message now and then: between messages the buffer holds
    // nothing, so an idle connection keeps no read storage (one allocation per
    // message is the price).
    buffer_.shrink_to_fit();
    do_read();
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

void WsSession::send(const FramePtr& frame) {
    if (closing_ || torn_down_) return;
    if (!queue_.push(frame, frame->text.size())) {
        log_info("ws: slow reader dropped (", queue_.bytes(), " bytes queued)");
        ++shard_.stats.slow_readers_dropped;
        close(close_code::slow_reader, "slow reader: resume with since", true);
        return;
    }
    if (!writing_) do_write();
}

void WsSession::do_write() {
    writing_ = true;
    const FramePtr& f = queue_.front();
    ws_.async_write(net::buffer(f->text), beast::bind_front_handler(&WsSession::on_write, self()));
}

void WsSession::on_write(error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
        if (!is_benign(ec)) log_debug("ws: write failed: ", ec.message());
        queue_.drop(false);
        return;  // the read side sees the failure too and tears down
    }
    if (!queue_.empty()) {
        ++shard_.stats.frames_sent;
        shard_.stats.bytes_sent += queue_.front()->text.size();
        queue_.pop();
    }
    if (!queue_.empty())
        do_write();
    else if (closing_ && !close_sent_)
        do_close();
}

// ---------------------------------------------------------------------------
// Closing
// ---------------------------------------------------------------------------

void WsSession::close(unsigned short code, std::string reason, bool drop_queue) {
    if (closing_ || torn_down_) return;
    closing_ = true;
    close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    if (drop_queue) queue_.drop(writing_);  // the frame being written must stay until Beast is done with it
    close_timer_ = std::make_unique<net::steady_timer>(ws_.get_executor());
    close_timer_->expires_after(close_grace);
    close_timer_->async_wait([self = self()](error_code ec) {
        if (ec) return;  // cancelled: the connection ended in time
        log_debug("ws: peer did not complete the close in time; cutting the connection");
        error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
    if (!writing_) do_close();
}

void WsSession::do_close() {
    close_sent_ = true;
    ws_.async_close(close_reason_, [self = self()](error_code ec) {
        if (ec && !is_benign(ec)) log_debug("ws: close failed: ", ec.message());
    });
}

void WsSession::teardown() {
    if (torn_down_) return;
    log_debug("ws: connection ended");
    torn_down_ = true;
    shard_.closed(this, transport_);
    if (close_timer_) close_timer_->cancel();
    if (!writing_) queue_.drop(false);
    if (handler_) handler_->on_close();
}

}  // namespace liveblog
