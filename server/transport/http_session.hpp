#pragma once
// One HTTP connection until it upgrades: reads requests (keep-alive) under
// the handshake timeout and body limit, answers health checks, and hands
// /ws and /admin/ws upgrades to a WsSession with the right handler.

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
    void send(http::response<http::string_body>&& res);
    void on_write(bool keep_alive, error_code ec, std::size_t bytes);

    beast::tcp_stream stream_;
    ShardContext& shard_;
    ServerContext& ctx_;
    ConnectionLimiter::Ticket ticket_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<http::response<http::string_body>> response_;
};

// A JSON error response: {"error":{"code":...,"message":...}} with the code's status.
http::response<http::string_body> error_response(ErrorCode code, std::string_view message, unsigned version,
                                                 bool keep_alive);

}  // namespace liveblog
