#pragma once
// One WebSocket reader connection over a raw non-blocking socket, driven by
// the owner's epoll loop: connect from a chosen 127.0.0.x source address,
// HTTP upgrade with a random key, then incremental frame parsing. Pings are
// answered with pongs, a server close is answered and recorded. Frames that
// arrive whole are handed to the handler straight from the shared read buffer.
//
// Lifecycle: idle -> connecting (start) -> [handshaking (TLS: on_writable
// sent the ClientHello)] -> upgrading (the request is sent) -> open (101
// verified; Handler::on_open) -> closed. With use_tls, every byte goes
// through a TlsChannel (the server's own, client side), as a browser's wss://. Every path to
// closed calls exactly one of on_failed (never opened) or on_closed, except
// abort(), which the owner calls and therefore needs no callback.

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <memory>

#include "tls/tls_channel.hpp"
#include "websocket/frame_parser.hpp"

namespace liveblog::load {

using ws::BufferPool;
using ws::FrameParser;
using ws::FrameSink;
using ws::Opcode;

class WsReader final : private FrameSink {
public:
    class Handler {
    public:
        virtual void on_open(WsReader& reader) = 0;
        virtual void on_message(WsReader& reader, std::string_view payload, bool text, std::int64_t recv_wall_ns) = 0;
        // The server closed (its close code; 1006 when the socket ended without one).
        virtual void on_closed(WsReader& reader, std::uint16_t code) = 0;
        // Connect or upgrade failed; `reason` is short and stable ("ECONNREFUSED", "http 429", ...).
        virtual void on_failed(WsReader& reader, std::string_view reason) = 0;

    protected:
        ~Handler() = default;
    };

    enum class Phase : std::uint8_t { idle, connecting, handshaking, upgrading, open, closed };

    WsReader() = default;
    WsReader(const WsReader&) = delete;
    WsReader& operator=(const WsReader&) = delete;
    ~WsReader();

    void set_id(std::uint32_t id) { id_ = id; }
    void set_pool(BufferPool* pool) { parser_ = FrameParser(pool); }

    // Non-blocking connect to `server` from `source` (the port is picked at
    // connect time, so each source address has its own ephemeral range).
    // False with `reason` set if the connect could not even start.
    bool start(const sockaddr_in& source, const sockaddr_in& server, std::string& reason);
    // The socket became writable while connecting: sends the upgrade request.
    // False if the connection failed (on_failed was called).
    bool on_writable(std::string_view host, std::string_view path, Handler& handler);
    // Reads what the socket has (a bounded number of reads) and dispatches.
    void on_readable(std::span<char> scratch, Handler& handler);

    // Sends one masked text frame; false if the socket could not take it whole.
    bool send_text(std::string_view payload);
    // Abortive close (RST): the server sees the connection drop at once.
    void abort();

    // Readers of this process offer permessage-deflate (set before the first connect).
    static void offer_deflate(bool on);
    // Readers of this process speak TLS (wss://; set before the first connect).
    static void use_tls(bool on);
    // Bytes this process's readers read after their upgrades (compressed, when negotiated).
    static std::uint64_t wire_bytes_received();

    int fd() const { return fd_; }
    Phase phase() const { return phase_; }
    std::uint32_t id() const { return id_; }

private:
    void on_message(std::string_view payload, bool text) override;
    void on_ping(std::string_view payload) override;
    void on_pong(std::string_view payload) override;
    void on_close(std::uint16_t code, std::string_view reason) override;

    bool send_frame(Opcode op, std::string_view payload);
    bool send_raw(std::string_view bytes);  // through TLS when on; false if the socket could not take it whole
    bool send_upgrade(Handler& handler);
    bool take_upgrade_response(std::string_view& data, Handler& handler);
    void close_socket();
    void fail(Handler& handler, std::string_view reason);
    void closed_by_server(Handler& handler, std::uint16_t code);

    int fd_ = -1;
    std::uint32_t id_ = 0;
    Phase phase_ = Phase::idle;
    std::array<char, 24> key_{};   // Sec-WebSocket-Key of the pending upgrade
    std::string head_;             // the upgrade response until its end; freed once open
    FrameParser parser_;
    Handler* handler_ = nullptr;   // set while the parser runs
    std::int64_t recv_ns_ = 0;     // wall time of the read being parsed
    std::unique_ptr<TlsChannel> tls_;  // with use_tls, from on_writable on
    std::string_view host_, path_;     // the owner's, for the upgrade after the TLS handshake
};

}  // namespace liveblog::load
