#include "support/ws_client.hpp"

#include <stdexcept>

namespace liveblog::test {

WsClient::WsClient(unsigned short port, ClientOptions options)
    : ioc_(options.ioc ? options.ioc : std::make_shared<net::io_context>(1)), ws_(*ioc_) {
    auto& sock = ws_.next_layer();
    sock.open(tcp::v4());
    if (options.receive_buffer > 0) sock.set_option(net::socket_base::receive_buffer_size(options.receive_buffer));
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator(
        [bearer = options.bearer, headers = options.headers](websocket::request_type& req) {
            if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
            for (const auto& [name, value] : headers) req.set(name, value);
        }));
    ws_.read_message_max(64 << 20);
    websocket::response_type res;
    error_code ec;
    ws_.handshake(res, "127.0.0.1:" + std::to_string(port), options.path, ec);
    if (ec) throw UpgradeRefused(static_cast<int>(res.result_int()), res.body());
}

WsClient::~WsClient() {
    error_code ec;
    ws_.next_layer().close(ec);
    // Let the cancelled read (if any) complete while its buffer still exists.
    if (read_pending_) {
        ioc_->restart();
        ioc_->run_for(100ms);
    }
}

void WsClient::send(const json& message) { send_raw(message.dump()); }

void WsClient::send_raw(std::string_view bytes, bool binary) {
    ws_.binary(binary);
    error_code ec;
    ws_.write(net::buffer(bytes.data(), bytes.size()), ec);
    if (ec) throw std::runtime_error("send failed: " + ec.message());
}

json WsClient::recv(std::chrono::milliseconds timeout) {
    if (!read_pending_) {
        read_pending_ = true;
        read_done_ = false;
        ws_.async_read(buffer_, [this](error_code ec, std::size_t) {
            read_ec_ = ec;
            read_done_ = true;
        });
    }
    ioc_->restart();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!read_done_ && std::chrono::steady_clock::now() < deadline)
        ioc_->run_one_for(deadline - std::chrono::steady_clock::now());
    if (!read_done_) throw std::runtime_error("timeout waiting for a message");  // the read stays pending
    read_pending_ = false;
    if (read_ec_) {
        // The peer's close frame may arrive just before its socket closes: its code still counts.
        if (read_ec_ == websocket::error::closed || ws_.reason().code != 0)
            throw Closed(ws_.reason().code, std::string(ws_.reason().reason.c_str()));
        throw Closed(0, read_ec_.message());
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return json::parse(text);
}

json WsClient::recv_until(const std::function<bool(const json&)>& pred, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("timeout waiting for a matching message");
        json m = recv(left);
        if (pred(m)) return m;
    }
}

json WsClient::recv_type(const std::string& type, std::chrono::milliseconds timeout) {
    return recv_until([&](const json& m) { return m.value("type", "") == type; }, timeout);
}

unsigned short WsClient::wait_closed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    try {
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            recv(left);
        }
    } catch (const Closed& c) {
        return c.code;
    }
    throw std::runtime_error("timeout waiting for the server to close");
}

bool WsClient::quiet_for(std::chrono::milliseconds wait) {
    try {
        recv(wait);
        return false;
    } catch (const Closed&) {
        return false;
    } catch (const std::runtime_error&) {
        return true;
    }
}

bool WsClient::no_event_within(std::chrono::milliseconds wait) {
    try {
        recv_until([](const json& m) { return m.value("type", "") == "event"; }, wait);
        return false;
    } catch (const Closed&) {
        return false;
    } catch (const std::runtime_error&) {
        return true;
    }
}

void WsClient::close() {
    error_code ec;
    ws_.close(websocket::close_code::normal, ec);
}

std::string HttpResult::header(const std::string& name) const {
    for (auto& [k, v] : headers)
        if (beast::iequals(k, name)) return v;
    return {};
}

namespace {
HttpResult to_result(http::response<http::string_body>&& res) {
    HttpResult r;
    r.status = static_cast<int>(res.result_int());
    r.body = std::move(res.body());
    for (auto& f : res) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    return r;
}
}  // namespace

HttpResult http_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
    net::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));  // as a browser sends it
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
        req.body() = body;
        req.prepare_payload();
    }
    http::write(sock, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(req.method() == http::verb::head);  // a HEAD answer has headers only
    http::read(sock, buf, parser);
    return to_result(parser.release());
}

}  // namespace liveblog::test

namespace liveblog::test {

HttpResult raw_http_exchange(unsigned short port, const std::string& raw) {
    net::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    net::write(sock, net::buffer(raw));
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(sock, buf, res);
    return to_result(std::move(res));
}

}  // namespace liveblog::test
