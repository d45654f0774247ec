#include "transport/ws_session.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error_code.hpp"
#include "common/log.hpp"
#include "common/utf8.hpp"
#include "protocol/codec.hpp"
#include "websocket/handshake.hpp"

namespace liveblog {

namespace {
constexpr int max_rejected_in_a_row = 20;  // then the connection is closed as flooding
constexpr auto close_grace = std::chrono::seconds(5);
constexpr int max_reads_per_turn = 8;      // then other connections get the thread

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

// The same ping for every connection.
const FramePtr keepalive_ping = make_ws_frame(ws::Opcode::ping, {});

FramePtr close_frame(std::uint16_t code, std::string_view reason) {
    return make_ws_frame(ws::Opcode::close, ws::close_payload(code, reason));
}

// Bytes that are not a WebSocket frame (the HTTP answer to the handshake).
FramePtr raw_bytes(std::string bytes) { return make_raw_frame(std::move(bytes)); }

}  // namespace

WsSession::WsSession(tcp::socket&& socket, std::unique_ptr<TlsChannel> tls, ShardContext& shard, Transport transport,
                     WsLimits limits, ConnectionLimiter::Ticket ticket)
    : Connection(shard),
      io_(std::move(socket), std::move(tls)),
      transport_(transport),
      limits_(limits),
      ticket_(std::move(ticket)),
      parser_(&shard.buffer_pool, limits.max_message_bytes, ws::Role::server),
      queue_(limits.max_queue_bytes),
      bucket_(limits.messages_per_s, limits.burst),
      last_heard_(std::chrono::steady_clock::now()) {}

WsSession::~WsSession() = default;

// ---------------------------------------------------------------------------
// Handshake
// ---------------------------------------------------------------------------

void WsSession::start(const http::request<http::string_body>& upgrade, std::string_view early) {
    error_code ec;
    if (!io_.socket().non_blocking()) io_.socket().non_blocking(true, ec);  // the listener made it so already
    if (ec) {
        torn_down_ = true;  // never opened: the handler has nothing to detach
        return;
    }
    shard_.open(this, transport_);
    auto version = upgrade.find(http::field::sec_websocket_version);
    if (version == upgrade.end() || version->value() != "13") {
        refuse_handshake(http::status::upgrade_required, "only WebSocket version 13 is spoken here");
        return;
    }
    auto key = upgrade.find(http::field::sec_websocket_key);
    if (key == upgrade.end() || !ws::valid_client_key(key->value())) {
        refuse_handshake(http::status::bad_request, "Sec-WebSocket-Key missing or malformed");
        return;
    }
    std::string answer =
        "HTTP/1.1 101 Switching Protocols\r\nServer: liveblog\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: ";
    answer.append(ws::accept_key(key->value())).append("\r\n");
    if (limits_.deflate) {
        // Every offer is one header field or several; they read as one list.
        std::string offers;
        for (auto it = upgrade.find(http::field::sec_websocket_extensions);
             it != upgrade.end() && it->name() == http::field::sec_websocket_extensions; ++it)
            offers.append(offers.empty() ? "" : ", ").append(it->value());
        if (auto accepted = ws::negotiate_permessage_deflate(offers)) {
            deflate_ = true;
            parser_.set_compression(true);
            answer.append("Sec-WebSocket-Extensions: ").append(*accepted).append("\r\n");
        }
    }
    answer.append("\r\n");
    open_ = true;
    answer_pending_ = true;
    enqueue(raw_bytes(std::move(answer)));
    write_now();  // a new socket takes it at once
    if (handler_) handler_->on_open();
    if (!early.empty() && !consume(early)) return;
    read_ready();  // a client may send its first message right behind the handshake
}

void WsSession::refuse_handshake(http::status status, std::string_view why) {
    std::string body = encode_error(ErrorCode::bad_request, why);
    std::string answer = "HTTP/1.1 " + std::to_string(static_cast<unsigned>(status)) + " " +
                         std::string(http::obsolete_reason(status)) +
                         "\r\nServer: liveblog\r\nSec-WebSocket-Version: 13\r\nContent-Type: application/json\r\n"
                         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    closing_ = true;
    close_queued_ = true;
    close_received_ = true;  // nothing to wait for: the socket is closed once the answer is out
    close_deadline_ = std::chrono::steady_clock::now() + close_grace;
    enqueue(raw_bytes(std::move(answer)));
}

// ---------------------------------------------------------------------------
// Reading: straight into the shard's scratch buffer until the socket is dry
// (epoll is edge-triggered: a wait is armed only after would_block).
// ---------------------------------------------------------------------------

void WsSession::read_ready() {
    std::vector<char>& scratch = shard_.read_scratch;
    for (int round = 0; round < max_reads_per_turn; ++round) {
        if (torn_down_ || parser_.closed()) return;
        std::string_view bytes;
        const auto status = io_.read(scratch, bytes);
        if (status == StreamSocket::Status::would_block) {
            wait_readable();
            return;
        }
        if (status != StreamSocket::Status::ok) {
            if (status == StreamSocket::Status::failed && io_.secure()) log_debug("ws: TLS: ", io_.tls_error());
            teardown();
            return;
        }
        // TLS may have something to say back (the handshake's tail, a key update).
        if (io_.output_pending()) schedule_flush();
        if (!bytes.empty() && !consume(bytes)) return;
    }
    net::post(shard_.ioc, [self = self()] { self->read_ready(); });
}

bool WsSession::consume(std::string_view bytes) {
    last_heard_ = std::chrono::steady_clock::now();
    ping_outstanding_ = false;
    if (parser_.feed(bytes, *this)) return true;
    log_debug("ws: protocol error: ", parser_.error());
    // Failing the connection (RFC 6455 7.1.7): no more reading, so no close
    // frame to wait for; the TCP connection ends once ours is out.
    close_received_ = true;
    if (parser_.too_big())
        begin_close(ws::close_status::too_big, "message too big", true);
    else
        begin_close(ws::close_status::protocol_error, parser_.error(), true);
    return false;
}

void WsSession::wait_readable() {
    io_.socket().async_wait(tcp::socket::wait_read, [self = self()](error_code ec) {
        if (self->torn_down_) return;
        if (ec) {
            self->teardown();
            return;
        }
        self->read_ready();
    });
}

std::string MessageHandler::rate_limited_reply(std::string_view) {
    return encode_error(ErrorCode::rate_limited, "too many messages; slow down");
}

void WsSession::on_message(std::string_view payload, bool text) {
    if (closing_) return;  // after we started closing, input is ignored until the peer's close frame
    std::string inflated;
    if (parser_.message_compressed()) {
        bool too_big = false;
        if (!ws::inflate_message(payload, limits_.max_message_bytes, inflated, too_big)) {
            if (too_big) begin_close(ws::close_status::too_big, "message too big", true);
            else begin_close(ws::close_status::protocol_error, "invalid permessage-deflate data", true);
            return;
        }
        payload = inflated;
    }
    if (text && !is_valid_utf8(payload)) {
        // RFC 6455 section 8.1: invalid UTF-8 in a text message fails the connection.
        begin_close(ws::close_status::invalid_payload, "invalid UTF-8", true);
        return;
    }
    if (!within_rate()) {
        if (!closing_) send_text(handler_ ? handler_->rate_limited_reply(payload)
                                          : encode_error(ErrorCode::rate_limited, "too many messages; slow down"));
        return;
    }
    // Binary messages go to the handler too: it answers invalid_utf8 or
    // invalid_json and keeps the connection.
    if (handler_) handler_->on_message(payload);
}

bool WsSession::within_rate() {
    if (bucket_.take(last_heard_)) {
        rejected_in_a_row_ = 0;
        return true;
    }
    if (++rejected_in_a_row_ >= max_rejected_in_a_row) close(close_code::flooding, "flooding", true);
    return false;
}

void WsSession::set_inbound_limits(std::size_t max_message_bytes, double messages_per_s, double burst) {
    limits_.max_message_bytes = max_message_bytes;
    limits_.messages_per_s = messages_per_s;
    limits_.burst = burst;
    parser_.set_max_message(max_message_bytes);
    bucket_ = TokenBucket(messages_per_s, burst);
}

// Pings and pongs count against the message rate: a ping flood gets no
// pongs past it, then the 4029 close.
void WsSession::on_ping(std::string_view payload) {
    if (!closing_ && within_rate()) enqueue(make_ws_frame(ws::Opcode::pong, payload));
}

void WsSession::on_pong(std::string_view) {
    if (!closing_) within_rate();  // last_heard_ already moved
}

void WsSession::on_close(std::uint16_t code, std::string_view reason) {
    close_received_ = true;
    if (closing_) {
        // The answer to our close (or a close crossing ours): done once ours is out.
        if (close_sent_) teardown();
        return;
    }
    if (!is_valid_utf8(reason))
        begin_close(ws::close_status::invalid_payload, "invalid UTF-8 in the close reason", true);
    else
        begin_close(code == ws::close_status::no_status ? ws::close_status::normal : code, {}, true);
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

void WsSession::send(const FramePtr& frame) {
    if (!open_ || closing_ || torn_down_) return;
    // A shared message goes compressed to a reader that accepted it: the
    // compressed frame, made once, shares the original's lifetime.
    if (deflate_ && frame->shared)
        if (const Frame* d = frame->deflated()) return void(enqueue(FramePtr(frame, d)));
    enqueue(frame);
}

bool WsSession::enqueue(FramePtr frame) {
    const std::size_t size = frame->ws.size();
    if (!queue_.push(std::move(frame), size)) {
        log_info("ws: slow reader dropped (", queue_.bytes(), " bytes queued)");
        ++shard_.stats.slow_readers_dropped;
        close(close_code::slow_reader, "slow reader: resume with since", true);
        return false;
    }
    schedule_flush();
    return true;
}

void WsSession::schedule_flush() {
    if (writing_ || flush_pending_ || torn_down_) return;
    flush_pending_ = true;
    shard_.want_flush(shared_from_this());
}

void WsSession::flush() {
    flush_pending_ = false;
    if (!writing_ && !torn_down_) write_now();
}

void WsSession::write_now() {
    const auto status = drain_queue(
        io_, queue_, front_written_, [](const FramePtr& f) -> const std::string& { return f->ws; },
        [this](std::size_t size) {
            ++shard_.stats.frames_sent;
            shard_.stats.bytes_sent += size;
            answer_pending_ = false;
        });
    if (status == StreamSocket::Status::would_block) return wait_writable();
    if (status != StreamSocket::Status::ok) {
        if (io_.secure()) log_debug("ws: write failed: ", io_.tls_error());
        teardown();
        return;
    }
    if (close_queued_ && !close_sent_) {
        close_sent_ = true;
        if (close_received_) teardown();  // both closes exchanged: the server ends the TCP connection
    }
}

void WsSession::wait_writable() {
    writing_ = true;
    io_.socket().async_wait(tcp::socket::wait_write, [self = self()](error_code ec) {
        self->writing_ = false;
        if (self->torn_down_) return;
        if (ec) {
            self->teardown();
            return;
        }
        self->write_now();
    });
}

// ---------------------------------------------------------------------------
// Closing
// ---------------------------------------------------------------------------

void WsSession::close(unsigned short code, std::string reason, bool drop_queue) {
    if (!open_ || closing_ || torn_down_) return;
    begin_close(code, reason, drop_queue);
}

void WsSession::begin_close(std::uint16_t code, std::string_view reason, bool drop_queue) {
    if (closing_ || torn_down_) return;
    closing_ = true;
    close_deadline_ = std::chrono::steady_clock::now() + close_grace;
    // A partly written frame must be finished, or the peer would read
    // garbage; and the handshake's answer must go out before any frame.
    const bool keep_front = front_written_ > 0 || answer_pending_;
    if (drop_queue) queue_.drop(keep_front);
    FramePtr frame = close_frame(code, reason);
    if (!queue_.push(frame, frame->ws.size())) {
        queue_.drop(keep_front);
        queue_.push(frame, 0);
    }
    close_queued_ = true;
    schedule_flush();
}

void WsSession::tick(std::chrono::steady_clock::time_point now) {
    if (torn_down_) return;
    if (closing_) {
        if (now >= close_deadline_) {
            log_debug("ws: peer did not complete the close in time; cutting the connection");
            teardown();
        }
        return;
    }
    const auto silent = now - last_heard_;
    // A peer is cut only after it was pinged: ticks a little over a second
    // apart can step from under half the timeout to past all of it, and a
    // client that answers pings must never be cut for want of one.
    if (silent >= seconds(limits_.idle_timeout_s) && ping_outstanding_) {
        log_debug("ws: peer silent for ", limits_.idle_timeout_s, " s; cutting the connection");
        teardown();
    } else if (!ping_outstanding_ && silent >= seconds(limits_.idle_timeout_s / 2)) {
        ping_outstanding_ = true;
        enqueue(keepalive_ping);
    }
}

void WsSession::teardown() {
    if (torn_down_) return;
    log_debug("ws: connection ended");
    torn_down_ = true;
    shard_.closed(this);
    io_.close();  // pending waits complete with operation_aborted and let go of the session
    queue_.drop(false);
    parser_.reset();
    if (handler_) handler_->on_close();
}

}  // namespace liveblog
