#pragma once
// One HTTP connection until it upgrades: reads requests (keep-alive) under
// the handshake timeout and body limit, hands /ws and /admin/ws upgrades to a
// WsSession with the right handler and /sse/stories/{id} to an SseSession,
// and everything else to HttpApi, one request at a time.

#include <chrono>
#include <memory>
#include <optional>

#include "transport/connection_limiter.hpp"
#include "transport/net.hpp"
#include "transport/server_context.hpp"
#include "transport/shard_context.hpp"

namespace liveblog {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket&& socket, ShardContext& shard, ServerContext& ctx, ConnectionLimiter::Ticket ticket);
    void run();

private:
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    void route(http::request<http::string_body>&& req);
    void upgrade(http::request<http::string_body>&& req);
    void start_sse(http::request<http::string_body>&& req, const std::string& story);
    void send(http::response<http::string_body>&& res);
    void on_write(bool keep_alive, error_code ec, std::size_t bytes);

    beast::tcp_stream stream_;
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
};

}  // namespace liveblog
