#pragma once
// A WebSocket client on a raw socket that writes whatever frames a test
// wants (masked or not, fragmented, malformed) and parses what the server
// sends back, for frame-level and attack tests against the real server.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/net.hpp"
#include "websocket/frame_parser.hpp"

namespace liveblog::test {

using namespace std::chrono_literals;

// The RFC 6455 example handshake for `path` (its key answers s3pPLMBiTxaQ9kYGzzhZRbK+xOo=).
std::string upgrade_request(const std::string& path = "/ws", const std::string& extra_headers = {});

struct Received final : ws::FrameSink {
    std::vector<std::string> messages, pings, pongs;
    int close_code = -1;
    std::size_t compressed = 0;  // messages that came compressed (permessage-deflate), inflated into `messages`
    void on_message(std::string_view p, bool) override { messages.emplace_back(p); }
    void on_ping(std::string_view p) override { pings.emplace_back(p); }
    void on_pong(std::string_view p) override { pongs.emplace_back(p); }
    void on_close(std::uint16_t code, std::string_view) override { close_code = code; }
};

// One client frame, masked unless asked not to be; `rsv1` marks it compressed.
std::string client_frame(ws::Opcode op, std::string_view payload, bool fin = true, bool mask = true,
                         bool rsv1 = false);

class RawWs {
public:
    // Upgrades on `path`; `early` is written in the same write as the request
    // (a fast client's first frames); `extra_headers` go in the request (e.g.
    // a Sec-WebSocket-Extensions offer: when the server accepts it, messages
    // are inflated on the way in).
    explicit RawWs(unsigned short port, const std::string& path = "/ws", const std::string& early = {},
                   const std::string& extra_headers = {});

    void send(ws::Opcode op, std::string_view payload, bool fin = true, bool mask = true);
    void send_bytes(std::string_view bytes);
    // Reads until `done` holds, the server ends the connection, or the timeout.
    // Returns false only on timeout.
    bool read_until(const std::function<bool(const Received&)>& done, std::chrono::milliseconds timeout = 5s);
    // The server's close code, once it has closed (and ended the TCP connection).
    int closed_with(std::chrono::milliseconds timeout = 5s);
    // The messages received so far with this `type`.
    std::size_t count_type(const std::string& type) const;

    Received got;
    bool eof = false;
    std::string extensions;  // the server's Sec-WebSocket-Extensions answer, if any

private:
    net::io_context ioc_;
    tcp::socket sock_;
    ws::FrameParser parser_;
};

}  // namespace liveblog::test
