#include "transport/http_session.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "transport/admin_handler.hpp"
#include "transport/reader_handler.hpp"
#include "transport/ws_session.hpp"

namespace liveblog {

namespace {

constexpr std::size_t max_request_body = 1 << 20;

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

http::response<http::string_body> json_response(http::status status, const nlohmann::json& body, unsigned version,
                                                bool keep_alive) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, "liveblog");
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = body.dump();
    res.prepare_payload();
    return res;
}

// "Bearer <token>" -> token; empty when absent or another scheme.
std::string bearer_token(const http::request<http::string_body>& req) {
    auto it = req.find(http::field::authorization);
    if (it == req.end()) return {};
    std::string_view v(it->value().data(), it->value().size());
    constexpr std::string_view prefix = "Bearer ";
    if (v.size() <= prefix.size() || v.substr(0, prefix.size()) != prefix) return {};
    return std::string(v.substr(prefix.size()));
}

std::string_view target_path(const http::request<http::string_body>& req) {
    std::string_view t(req.target().data(), req.target().size());
    return t.substr(0, t.find('?'));
}

}  // namespace

http::response<http::string_body> error_response(ErrorCode code, std::string_view message, unsigned version,
                                                 bool keep_alive) {
    const auto& info = error_info(code);
    nlohmann::json body{{"error", {{"code", info.wire}, {"message", message}}}};
    if (info.retryable) body["error"]["retryable"] = true;
    return json_response(static_cast<http::status>(info.http_status), body, version, keep_alive);
}

HttpSession::HttpSession(tcp::socket&& socket, ShardContext& shard, ServerContext& ctx, ConnectionLimiter::Ticket ticket)
    : stream_(std::move(socket)), shard_(shard), ctx_(ctx), ticket_(std::move(ticket)) {}

void HttpSession::run() { do_read(); }

void HttpSession::do_read() {
    parser_.emplace();
    parser_->body_limit(max_request_body);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(seconds(ctx_.config.handshake_timeout_s));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
        send(error_response(ErrorCode::too_large, "request body too large", 11, false));
        return;
    }
    if (ec) {
        if (!is_benign(ec)) log_debug("http: read failed: ", ec.message());
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
    }
    route(parser_->release());
}

void HttpSession::route(http::request<http::string_body>&& req) {
    std::string_view path = target_path(req);
    if (websocket::is_upgrade(req) && (path == "/ws" || path == "/admin/ws")) {
        upgrade(std::move(req));
        return;
    }
    bool keep_alive = req.keep_alive();
    if (req.method() == http::verb::get || req.method() == http::verb::head) {
        if (path == "/healthz") {
            send(json_response(http::status::ok, {{"status", "ok"}}, req.version(), keep_alive));
            return;
        }
        if (path == "/readyz") {
            bool ready = ctx_.hub.store_ready();
            send(json_response(ready ? http::status::ok : http::status::service_unavailable,
                               {{"status", ready ? "ready" : "store_unavailable"}}, req.version(), keep_alive));
            return;
        }
        if (path == "/ws" || path == "/admin/ws") {
            send(error_response(ErrorCode::bad_request, "this endpoint takes a WebSocket upgrade", req.version(),
                                keep_alive));
            return;
        }
    }
    send(error_response(ErrorCode::not_found, "no such endpoint", req.version(), keep_alive));
}

void HttpSession::upgrade(http::request<http::string_body>&& req) {
    const Config& cfg = ctx_.config;
    bool admin = target_path(req) == "/admin/ws";
    std::optional<Claims> claims;
    if (admin) {
        std::string token = bearer_token(req);
        if (!token.empty()) {
            try {
                claims = verify_token(token, ctx_.secret, now_millis() / 1000);
            } catch (const Error& e) {
                // A bad header token is refused before the upgrade: HTTP 401 with the code.
                send(error_response(e.code, e.message, req.version(), false));
                return;
            }
        }
    }
    WsLimits limits;
    limits.max_message_bytes = admin ? cfg.max_admin_message_bytes : cfg.max_reader_message_bytes;
    limits.max_queue_bytes = cfg.max_queue_bytes;
    limits.handshake_timeout_s = cfg.handshake_timeout_s;
    limits.idle_timeout_s = cfg.idle_timeout_s;
    limits.messages_per_s = admin ? cfg.admin_messages_per_s : cfg.reader_messages_per_s;
    limits.burst = admin ? cfg.admin_burst : cfg.reader_burst;

    auto session = std::make_shared<WsSession>(stream_.release_socket(), shard_, limits, std::move(ticket_));
    if (admin)
        session->set_handler(std::make_unique<AdminHandler>(*session, ctx_.hub, ctx_.secret, std::move(claims),
                                                            cfg.auth_timeout_s));
    else
        session->set_handler(std::make_unique<ReaderHandler>(*session, ctx_.hub, cfg.max_subscriptions));
    session->start(std::move(req));
}

void HttpSession::send(http::response<http::string_body>&& res) {
    bool keep_alive = res.keep_alive();
    response_ = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, error_code ec, std::size_t) {
    response_.reset();
    if (ec) return;
    if (!keep_alive) {
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
    }
    do_read();
}

}  // namespace liveblog
