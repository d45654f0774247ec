#pragma once
// One connection on the plain-HTTP redirect port (redirect_listen, with
// TLS): reads one request under the handshake timeout and answers it with a
// redirect to the same path on https, then closes. GET and HEAD get 301 (a
// browser typing the bare address), others 308 (the method and body must be
// sent again, to https). The Host is checked to be a host name or address
// (no "@", "/", or spaces): a redirect never points anywhere the request did
// not name.

#include <memory>
#include <optional>
#include <string>

#include "transport/connection_limiter.hpp"
#include "transport/net.hpp"
#include "transport/server_context.hpp"

namespace liveblog {

class RedirectSession : public std::enable_shared_from_this<RedirectSession> {
public:
    RedirectSession(tcp::socket&& socket, ServerContext& ctx, ConnectionLimiter::Ticket ticket);
    void run();

    // https://HOST[:PORT]TARGET for a request's Host and target, or nothing
    // when the Host is not a plain host[:port]. `https_port` 443 is left out.
    static std::optional<std::string> location(std::string_view host, std::string_view target,
                                                unsigned short https_port);

private:
    void on_read(error_code ec, std::size_t bytes);

    beast::tcp_stream stream_;
    ServerContext& ctx_;
    ConnectionLimiter::Ticket ticket_;
    beast::flat_buffer buffer_;
    http::request_parser<http::string_body> parser_;  // the body is read (and dropped) so the answer is clean
    std::shared_ptr<http::response<http::string_body>> response_;
};

}  // namespace liveblog
