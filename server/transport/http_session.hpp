#pragma once
// One HTTP connection until it upgrades: reads requests (keep-alive) under
// the handshake timeout and body limit, hands /ws and /admin/ws upgrades to a
// WsSession with the right handler and /sse/stories/{id} to an SseSession,
// and everything else to HttpApi, one request at a time. On the TLS port the
// same, through TlsHttpStream; the upgrade hands the TLS channel on with the
// socket.

#include <chrono>
#include <memory>
#include <optional>

#include "tls/tls_channel.hpp"
#include "transport/connection_limiter.hpp"
#include "transport/net.hpp"
#include "transport/tls_http_stream.hpp"
#include "transport/server_context.hpp"
#include "transport/shard_context.hpp"

namespace liveblog {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    // `tls`: the connection's TLS (null: plain HTTP).
    HttpSession(tcp::socket&& socket, ShardContext& shard, ServerContext& ctx, ConnectionLimiter::Ticket ticket,
                std::unique_ptr<TlsChannel> tls);
    void run();

private:
    void do_read();
    // The header first: the route decides how large a body may follow.
    void on_header(error_code ec, std::size_t bytes);
    void on_read(error_code ec, std::size_t bytes);
    void route(http::request<http::string_body>&& req);
    // Answers the request whose head was read with `res`, then ends the
    // connection: its body is unread or its framing unclear, so nothing
    // after it may be read as a request.
    void refuse_request(HttpResponse res);
    void upgrade(http::request<http::string_body>&& req);
    void start_sse(http::request<http::string_body>&& req, const std::string& story);
    void send(http::response<http::string_body>&& res);
    void on_write(bool keep_alive, error_code ec, std::size_t bytes);
    // Ends our side: TLS close_notify (if the socket takes it at once), then FIN.
    void end_stream();
    // Then drops what the peer still sends, for a bounded time, before closing.
    void linger();

    beast::tcp_stream stream_;
    std::unique_ptr<TlsChannel> tls_;
    std::optional<TlsHttpStream> tls_stream_;  // over stream_ and *tls_, when on TLS
    ShardContext& shard_;
    ServerContext& ctx_;
    ConnectionLimiter::Ticket ticket_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<http::response<http::string_body>> response_;
    // For the access log and the request histogram.
    std::string method_, target_;
    std::string peer_address_;  // the client's IP, read once in run()
    std::chrono::steady_clock::time_point started_;
    bool head_ = false;
    std::size_t body_limit_ = 0;        // of the request being read
    std::size_t lingered_ = 0;          // bytes dropped after our FIN (linger)
    bool credentials_checked_ = false;  // of the upload whose head was just read
    std::shared_ptr<void> upload_slot_;  // held while an upload is read and answered (media::MediaService)
};

}  // namespace liveblog
