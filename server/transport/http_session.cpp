#include "transport/http_session.hpp"

#include <sys/socket.h>

#include <array>
#include <chrono>

#include "common/clock.hpp"
#include "accounts/credentials.hpp"
#include "common/log.hpp"
#include "core/validation.hpp"
#include "http/request_framing.hpp"
#include "http/responses.hpp"
#include "http/url.hpp"
#include "transport/admin_handler.hpp"
#include "transport/reader_handler.hpp"
#include "transport/sse_session.hpp"
#include "transport/ws_session.hpp"

namespace liveblog {

namespace {

std::chrono::steady_clock::duration seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
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

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, ShardContext& shard, ServerContext& ctx, ConnectionLimiter::Ticket ticket,
                         std::unique_ptr<TlsChannel> tls)
    : stream_(std::move(socket)), tls_(std::move(tls)), shard_(shard), ctx_(ctx), ticket_(std::move(ticket)) {
    if (tls_) tls_stream_.emplace(stream_, *tls_);
}

void HttpSession::run() {
    // The peer's address, once per connection (the audit log and the sign-in throttle use it).
    error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_address_ = peer.address().to_string();
    do_read();
}

namespace {

// The one route whose body may be larger than max_request_body_bytes.
bool is_upload(const http::request_parser<http::string_body>& parser) {
    const auto& req = parser.get();
    if (req.method() != http::verb::post) return false;
    auto target = req.target();
    target = target.substr(0, target.find('?'));
    return target == "/api/media";
}

}  // namespace

void HttpSession::do_read() {
    upload_slot_.reset();  // the previous request is answered
    parser_.emplace();
    // The header is read with the larger limit, since Beast checks a
    // Content-Length against it as the header ends; on_header then applies
    // the route's own.
    body_limit_ = std::max(ctx_.config.max_request_body_bytes, ctx_.config.max_upload_bytes);
    parser_->body_limit(body_limit_);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(seconds(ctx_.config.handshake_timeout_s));
    auto done = beast::bind_front_handler(&HttpSession::on_header, shared_from_this());
    if (tls_stream_) http::async_read_header(*tls_stream_, buffer_, *parser_, std::move(done));
    else http::async_read_header(stream_, buffer_, *parser_, std::move(done));
}

void HttpSession::on_header(error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    const bool upload = is_upload(*parser_);
    body_limit_ = upload ? ctx_.config.max_upload_bytes : ctx_.config.max_request_body_bytes;
    const auto declared = parser_->content_length();
    if (declared && *declared > body_limit_)
        return refuse_request(
            error_response(ErrorCode::too_large, "request body over " + std::to_string(body_limit_) + " bytes"));
    if (upload && !credentials_checked_) {
        // Nobody but a signed-in editor gets a large body read, nor a slot:
        // the credentials are checked on the head first (then again, as for
        // any request, when the whole request is handled).
        ShardContext& shard = shard_;
        ctx_.api.check_credentials(
            parser_->get(), peer_address_, Access::signed_in,
            [self = shared_from_this(), &shard](std::optional<HttpResponse> refusal) {
                net::post(shard.ioc, [self, refusal = std::move(refusal)]() mutable {
                    if (refusal) return self->refuse_request(std::move(*refusal));
                    self->credentials_checked_ = true;
                    self->on_header({}, 0);
                });
            });
        return;
    }
    credentials_checked_ = false;
    if (upload) {
        // A slot before the body: at most max_queued_media bodies of up to
        // max_upload_bytes are held at once.
        upload_slot_ = ctx_.media.reserve_upload();
        if (!upload_slot_) {
            auto res = error_response(ErrorCode::overloaded, "too many uploads at once; retry shortly");
            res.set(http::field::retry_after, "2");
            return refuse_request(std::move(res));
        }
        // A large photo over a newsroom's mobile link takes more than the handshake timeout.
        stream_.expires_after(seconds(std::max(ctx_.config.handshake_timeout_s, ctx_.config.upload_timeout_s)));
    }
    parser_->body_limit(body_limit_);
    auto done = beast::bind_front_handler(&HttpSession::on_read, shared_from_this());
    if (tls_stream_) http::async_read(*tls_stream_, buffer_, *parser_, std::move(done));
    else http::async_read(stream_, buffer_, *parser_, std::move(done));
}

void HttpSession::on_read(error_code ec, std::size_t) {
    if (ec == http::error::partial_message || ec == http::error::end_of_stream || is_benign(ec)) {
        // The peer went away (or timed out) before a whole request: nobody to answer.
        if (ec == net::error::connection_aborted && tls_) log_debug("https: TLS: ", tls_->error());
        end_stream();
        return;
    }
    if (ec) {
        // A request that does not parse gets an answer with a code, then the
        // connection ends: where its bytes stop is unknown, so nothing after
        // them may be read as a request.
        method_ = "?";
        target_ = "?";
        started_ = std::chrono::steady_clock::now();
        HttpResponse res;
        if (ec == http::error::body_limit) {
            res = error_response(ErrorCode::too_large, "request body over " + std::to_string(body_limit_) + " bytes");
        } else if (ec == http::error::header_limit) {
            res = error_response(ErrorCode::too_large, "request headers over 16 KiB");
            res.result(http::status::request_header_fields_too_large);
        } else {
            log_debug("http: malformed request: ", ec.message());
            res = error_response(ErrorCode::bad_request, "malformed HTTP request: " + ec.message());
        }
        res.keep_alive(false);
        send(std::move(res));
        return;
    }
    if (auto problem = framing_problem(parser_->get()))
        return refuse_request(error_response(ErrorCode::bad_request, "ambiguous request framing: " + *problem));
    route(parser_->release());
}

void HttpSession::refuse_request(HttpResponse res) {
    method_ = std::string(parser_->get().method_string());
    target_ = std::string(parser_->get().target());
    started_ = std::chrono::steady_clock::now();
    res.keep_alive(false);
    send(std::move(res));
}

void HttpSession::route(http::request<http::string_body>&& req) {
    started_ = std::chrono::steady_clock::now();
    method_ = std::string(req.method_string());
    target_ = std::string(req.target());
    head_ = req.method() == http::verb::head;
    auto path = split_path(target_);
    RouteMatch match = ctx_.api.router().match(req.method(), path);

    // Routes whose connection the transport takes over (http/routes.cpp).
    if (match.route && match.route->takeover == Takeover::websocket && websocket::is_upgrade(req))
        return upgrade(std::move(req));
    if (match.route && match.route->takeover == Takeover::event_stream)
        return start_sse(std::move(req), match.params.at("story"));

    bool keep_alive = req.keep_alive();
    unsigned version = req.version();
    // The session lives until its response is written: HttpApi answers
    // exactly once, possibly from the reader or storage thread.
    ShardContext& shard = shard_;
    ctx_.api.handle(std::move(req), std::move(path), std::move(match), peer_address_,
                    [self = shared_from_this(), &shard, keep_alive, version](HttpResponse res) {
                        res.version(version);
                        res.keep_alive(keep_alive);
                        net::post(shard.ioc, [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
                    });
}

void HttpSession::start_sse(http::request<http::string_body>&& req, const std::string& story) {
    ResumePoint resume;
    std::string extra_headers;
    try {
        check_slug(story);
        if (!ctx_.hub.has_story(story)) throw Error{ErrorCode::unknown_story, "no story '" + story + "'"};
        // Last-Event-ID (a browser's automatic resume) wins over ?since=.
        auto last = req.find("Last-Event-ID");
        std::string since = last != req.end() ? std::string(last->value()) : query_param(target_, "since").value_or("");
        if (!since.empty()) {
            if (since.size() > 19 || since.find_first_not_of("0123456789") != std::string::npos)
                throw Error{ErrorCode::bad_request, "Last-Event-ID / since: must be a seq"};
            resume.since = std::stoull(since);
        }
        if (auto epoch = query_param(target_, "epoch")) resume.epoch = *epoch;
    } catch (const Error& e) {
        send(error_response(e.code, e.message));
        return;
    }
    if (!ctx_.config.cors_origins.empty()) {
        auto origin = req.find(http::field::origin);
        if (origin != req.end()) {
            std::string o(origin->value());
            for (auto& allowed : ctx_.config.cors_origins)
                if (allowed == "*" || allowed == o) {
                    extra_headers = "Access-Control-Allow-Origin: " + (allowed == "*" ? std::string("*") : o) + "\r\n";
                    break;
                }
        }
    }
    if (ctx_.config.access_log) log_info("http: GET ", target_, " 200 (event stream)");
    SseLimits limits;
    limits.max_queue_bytes = ctx_.config.max_queue_bytes;
    limits.heartbeat_s = ctx_.config.sse_heartbeat_s;
    stream_.expires_never();
    tls_stream_.reset();  // it refers to *tls_, which goes with the socket
    auto session = std::make_shared<SseSession>(stream_.release_socket(), std::move(tls_), shard_, ctx_.hub, limits,
                                                std::move(ticket_), std::move(extra_headers));
    session->start(story, resume);
}

void HttpSession::upgrade(http::request<http::string_body>&& req) {
    const Config& cfg = ctx_.config;
    bool admin = req.target().starts_with("/admin");
    AdminCredential credential;
    if (admin) {
        credential.address = peer_address_;
        std::string token = bearer_token(req);
        if (token.rfind(accounts::api_token_prefix, 0) == 0) {
            credential.api_token = token;  // resolved by the handler, off this thread
        } else if (!token.empty()) {
            try {
                credential.principal = verify_token(token, ctx_.secret, now_millis() / 1000).principal();
            } catch (const Error& e) {
                // A bad header token is refused before the upgrade: HTTP 401 with the code.
                auto res = error_response(e.code, e.message);
                res.keep_alive(false);
                send(std::move(res));
                return;
            }
        } else if (auto cookie = accounts::cookie_value(std::string(req[http::field::cookie]),
                                                        accounts::session_cookie_name)) {
            // Browsers send cookies with a cross-site WebSocket too: only a
            // page of this server (Origin = this Host) may use the session.
            std::string origin(req[http::field::origin]), host(req[http::field::host]);
            if (!host.empty() && (origin == "http://" + host || origin == "https://" + host))
                credential.session_cookie = *cookie;
            else
                log_debug("admin ws: session cookie ignored, Origin '", origin, "' is not this server");
        }
    }
    WsLimits limits;
    limits.max_message_bytes = admin ? cfg.max_admin_message_bytes : cfg.max_reader_message_bytes;
    limits.max_queue_bytes = cfg.max_queue_bytes;
    limits.idle_timeout_s = cfg.idle_timeout_s;
    limits.messages_per_s = admin ? cfg.admin_messages_per_s : cfg.reader_messages_per_s;
    limits.burst = admin ? cfg.admin_burst : cfg.reader_burst;
    limits.deflate = cfg.ws_deflate;

    // A fast client sends its first frame in the same write as the upgrade:
    // what the HTTP parser read past the request (and, on TLS, what was
    // decrypted but not yet parsed) belongs to the WebSocket.
    const auto rest = buffer_.cdata();
    std::string early(static_cast<const char*>(rest.data()), rest.size());
    if (tls_stream_) early += tls_stream_->pending_plain();
    tls_stream_.reset();  // it refers to *tls_, which goes with the socket
    auto session = std::make_shared<WsSession>(stream_.release_socket(), std::move(tls_), shard_,
                                               admin ? Transport::admin_websocket : Transport::websocket, limits,
                                               std::move(ticket_));
    if (admin) {
        AdminInboundLimits inbound;
        inbound.authenticated_message_bytes = cfg.max_admin_message_bytes;
        inbound.authenticated_per_s = cfg.admin_messages_per_s;
        inbound.authenticated_burst = cfg.admin_burst;
        inbound.anonymous_message_bytes = cfg.max_reader_message_bytes;
        inbound.anonymous_per_s = cfg.reader_messages_per_s;
        inbound.anonymous_burst = cfg.reader_burst;
        session->set_handler(std::make_unique<AdminHandler>(*session, ctx_.hub, ctx_.accounts, ctx_.presence, ctx_.secret,
                                                            std::move(credential), cfg.auth_timeout_s,
                                                            cfg.credential_recheck_s, inbound, ctx_.content_limits));
    }
    else
        session->set_handler(std::make_unique<ReaderHandler>(*session, ctx_.hub, cfg.max_subscriptions));
    session->start(req, early);
}

void HttpSession::send(http::response<http::string_body>&& res) {
    bool keep_alive = res.keep_alive();
    if (head_) {
        // HEAD: the GET's headers, no body.
        auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    if (ctx_.config.access_log) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
        log_info("http: ", method_, " ", target_, " ", res.result_int(), " ", res.body().size(), "B ",
                 us.count() / 1000.0, "ms");
    }
    ctx_.metrics
        .counter("liveblog_http_responses_total", "HTTP responses by status class",
                 {{"class", std::to_string(res.result_int() / 100) + "xx"}})
        .inc();
    response_ = std::make_shared<http::response<http::string_body>>(std::move(res));
    auto done = beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive);
    if (tls_stream_) http::async_write(*tls_stream_, *response_, std::move(done));
    else http::async_write(stream_, *response_, std::move(done));
}

void HttpSession::end_stream() {
    if (tls_ && !tls_->failed() && tls_->handshake_done()) {
        tls_->close_notify();
        const std::string_view out = tls_->output();
        [[maybe_unused]] auto n = ::send(stream_.socket().native_handle(), out.data(), out.size(), MSG_NOSIGNAL);
    }
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

void HttpSession::on_write(bool keep_alive, error_code ec, std::size_t) {
    response_.reset();
    if (ec) return;
    if (!keep_alive) {
        end_stream();
        return linger();
    }
    do_read();
}

// After our FIN, what the peer still sends (the rest of a refused upload's
// body) is read and dropped for a while: closing with unread bytes makes the
// kernel reset the connection, and a reset can destroy our answer in the
// peer's buffers before it reads it. Bounded in time and bytes.
void HttpSession::linger() {
    if (lingered_ == 0) stream_.expires_after(std::chrono::seconds(2));
    if (lingered_ > (64u << 20)) return;
    auto buf = std::make_shared<std::array<char, 16384>>();
    stream_.async_read_some(net::buffer(*buf), [self = shared_from_this(), buf](error_code ec, std::size_t n) {
        if (ec) return;  // end of stream, the deadline, or a reset: done either way
        self->lingered_ += n + 1;
        self->linger();
    });
}

}  // namespace liveblog
