#include "transport/redirect_session.hpp"

#include "http/responses.hpp"

namespace liveblog {

RedirectSession::RedirectSession(tcp::socket&& socket, ServerContext& ctx, ConnectionLimiter::Ticket ticket)
    : stream_(std::move(socket)), ctx_(ctx), ticket_(std::move(ticket)) {}

std::optional<std::string> RedirectSession::location(std::string_view host, std::string_view target,
                                                     unsigned short https_port) {
    // The name without its port: "live.example", "192.0.2.1" or "[2001:db8::1]".
    std::string_view name = host;
    if (!name.empty() && name.front() == '[') {
        const auto close = name.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const std::string_view inside = name.substr(1, close - 1);
        if (inside.empty() || inside.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
            return std::nullopt;
        name = name.substr(0, close + 1);
    } else {
        name = name.substr(0, name.find(':'));
        if (name.empty() || name.size() > 253 ||
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                std::string_view::npos)
            return std::nullopt;
    }
    if (target.empty() || target.front() != '/' || target.starts_with("//")) return std::nullopt;
    std::string out = "https://";
    out += name;
    if (https_port != 443) out += ":" + std::to_string(https_port);
    out += target;
    return out;
}

void RedirectSession::run() {
    stream_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(ctx_.config.handshake_timeout_s)));
    parser_.body_limit(ctx_.config.max_request_body_bytes);
    parser_.header_limit(16 * 1024);
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&RedirectSession::on_read, shared_from_this()));
}

void RedirectSession::on_read(error_code ec, std::size_t) {
    if (ec && (ec == http::error::end_of_stream || is_benign(ec))) return;
    const auto& request = parser_.get();
    HttpResponse res;
    std::optional<std::string> to;
    if (!ec) to = location(request[http::field::host], request.target(), ctx_.bound_port);
    if (!to) {
        res = error_response(ErrorCode::bad_request, ec ? "malformed HTTP request: " + ec.message()
                                                        : std::string("this port redirects to https; the Host header "
                                                                      "or the target is not one it can redirect to"));
    } else {
        const bool safe = request.method() == http::verb::get || request.method() == http::verb::head;
        res.result(safe ? http::status::moved_permanently : http::status::permanent_redirect);
        res.set(http::field::location, *to);
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        if (request.method() != http::verb::head) res.body() = "Moved to " + *to + "\n";
    }
    res.set(http::field::server, "liveblog");
    res.keep_alive(false);
    res.prepare_payload();
    response_ = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *response_, [self = shared_from_this()](error_code, std::size_t) {
        error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
}

}  // namespace liveblog
