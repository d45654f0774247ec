#include "support/raw_ws.hpp"

#include <catch2/catch.hpp>
#include <poll.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "websocket/permessage_deflate.hpp"

namespace liveblog::test {

std::string upgrade_request(const std::string& path, const std::string& extra_headers) {
    return "GET " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
           extra_headers + "\r\n";
}

std::string client_frame(ws::Opcode op, std::string_view payload, bool fin, bool mask, bool rsv1) {
    std::string f;
    ws::append_frame(f, op, payload, mask ? "\x0a\x0b\x0c\x0d" : nullptr, rsv1);
    if (!fin) f[0] = static_cast<char>(f[0] & 0x7f);
    return f;
}

namespace {

// Inflates compressed messages before they reach `got`.
struct InflatingSink final : ws::FrameSink {
    Received& got;
    const ws::FrameParser& parser;
    InflatingSink(Received& g, const ws::FrameParser& p) : got(g), parser(p) {}
    void on_message(std::string_view p, bool text) override {
        if (!parser.message_compressed()) return got.on_message(p, text);
        std::string out;
        bool too_big = false;
        REQUIRE(ws::inflate_message(p, 64u << 20, out, too_big));
        ++got.compressed;
        got.on_message(out, text);
    }
    void on_ping(std::string_view p) override { got.on_ping(p); }
    void on_pong(std::string_view p) override { got.on_pong(p); }
    void on_close(std::uint16_t code, std::string_view r) override { got.on_close(code, r); }
};

}  // namespace

RawWs::RawWs(unsigned short port, const std::string& path, const std::string& early, const std::string& extra_headers)
    : sock_(ioc_) {
    sock_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    net::write(sock_, net::buffer(upgrade_request(path, extra_headers) + early));
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos) {
        net::read(sock_, net::buffer(&c, 1));
        head.push_back(c);
    }
    REQUIRE(head.starts_with("HTTP/1.1 101"));
    REQUIRE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
    if (auto at = head.find("Sec-WebSocket-Extensions: "); at != std::string::npos) {
        at += 26;
        extensions = head.substr(at, head.find("\r\n", at) - at);
        parser_.set_compression(extensions.starts_with("permessage-deflate"));
    }
}

void RawWs::send(ws::Opcode op, std::string_view payload, bool fin, bool mask) {
    send_bytes(client_frame(op, payload, fin, mask));
}

void RawWs::send_bytes(std::string_view bytes) {
    error_code ec;
    net::write(sock_, net::buffer(bytes.data(), bytes.size()), ec);  // the server may have cut us already
}

bool RawWs::read_until(const std::function<bool(const Received&)>& done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(got) && !eof) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{sock_.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[65536];
        error_code ec;
        std::size_t n = sock_.read_some(net::buffer(buf), ec);
        if (ec) {
            eof = true;
            break;
        }
        InflatingSink sink(got, parser_);
        REQUIRE(parser_.feed(std::string_view(buf, n), sink));
    }
    return done(got) || eof;
}

int RawWs::closed_with(std::chrono::milliseconds timeout) {
    read_until([this](const Received&) { return eof; }, timeout);
    return got.close_code;
}

std::size_t RawWs::count_type(const std::string& type) const {
    std::size_t n = 0;
    for (auto& m : got.messages) {
        auto j = nlohmann::json::parse(m, nullptr, false);
        if (j.is_object() && j.value("type", "") == type) ++n;
    }
    return n;
}

}  // namespace liveblog::test
