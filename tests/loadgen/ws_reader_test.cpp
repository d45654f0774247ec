#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "clock.hpp"
#include "ws_reader.hpp"

using namespace liveblog::load;

namespace {

// The test's side of the socket: blocking reads with a 5 s bound.
struct Peer {
    int fd = -1;
    std::string in;
    bool fill(std::size_t n) {
        char buf[4096];
        const std::int64_t end = mono_ns() + 5'000'000'000;
        while (in.size() < n && mono_ns() < end) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
            if (r <= 0) return false;
            in.append(buf, static_cast<std::size_t>(r));
        }
        return in.size() >= n;
    }
    // One masked client frame: opcode and unmasked payload.
    bool frame(int& op, std::string& payload) {
        if (!fill(2)) return false;
        op = in[0] & 0x0f;
        const bool masked = (in[1] & 0x80) != 0;
        std::size_t len = in[1] & 0x7f, h = 2;
        if (len == 126) {
            if (!fill(4)) return false;
            len = (static_cast<unsigned char>(in[2]) << 8) | static_cast<unsigned char>(in[3]);
            h = 4;
        }
        if (!masked || !fill(h + 4 + len)) return false;
        payload.assign(in, h + 4, len);
        for (std::size_t i = 0; i < len; ++i) payload[i] = static_cast<char>(payload[i] ^ in[h + (i & 3)]);
        in.erase(0, h + 4 + len);
        return true;
    }
    void send(const std::string& bytes) { ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
};

std::string accept_key(const std::string& key) {
    const std::string s = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
    unsigned char out[32];
    const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

struct Recorder final : WsReader::Handler {
    std::vector<std::string> messages;
    int closed = -1;
    std::string failed;
    void on_open(WsReader& r) override { r.send_text(R"({"type":"subscribe","story":"s"})"); }
    void on_message(WsReader&, std::string_view p, bool, std::int64_t) override { messages.emplace_back(p); }
    void on_closed(WsReader&, std::uint16_t code) override { closed = code; }
    void on_failed(WsReader&, std::string_view reason) override { failed = std::string(reason); }
};

}  // namespace

TEST_CASE("ws reader: upgrade, first message, split frame, ping -> pong, close echoed") {
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(lfd, 4) == 0);
    socklen_t len = sizeof addr;
    getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);

    std::string first_message, pong, close_payload;
    std::thread server([&] {
        Peer p;
        p.fd = ::accept(lfd, nullptr, nullptr);
        if (!p.fill(4)) return;
        for (int i = 0; i < 50 && p.in.find("\r\n\r\n") == std::string::npos; ++i) p.fill(p.in.size() + 1);
        const auto k = p.in.find("Sec-WebSocket-Key: ");
        const std::string key = p.in.substr(k + 19, 24);
        p.in.erase(0, p.in.find("\r\n\r\n") + 4);
        // The 101 and the first frame's first half in one segment: the reader must split them.
        p.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
               accept_key(key) + "\r\n\r\n" + std::string("\x81\x0a", 2) + "lbt:");
        int op = 0;
        if (!p.frame(op, first_message)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        p.send("1:2: x" + std::string("\x89\x02", 2) + "hi");
        if (!p.frame(op, pong) || op != 0xA) return;
        p.send(std::string("\x88\x02\x0f\xa8", 4));
        p.frame(op, close_payload);
        ::close(p.fd);
    });

    Recorder h;
    WsReader reader;
    BufferPool pool;
    reader.set_pool(&pool);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7f000001);
    std::string reason;
    REQUIRE(reader.start(source, addr, reason));
    std::vector<char> scratch(1024);
    const std::int64_t end = mono_ns() + 5'000'000'000;
    while (h.closed < 0 && h.failed.empty() && mono_ns() < end) {
        pollfd p{reader.fd(), static_cast<short>(reader.phase() == WsReader::Phase::connecting ? POLLOUT : POLLIN), 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        if (reader.phase() == WsReader::Phase::connecting) reader.on_writable("127.0.0.1", "/ws", h);
        else reader.on_readable(scratch, h);
    }
    server.join();
    ::close(lfd);

    CHECK(h.failed.empty());
    CHECK(first_message == R"({"type":"subscribe","story":"s"})");
    REQUIRE(h.messages.size() == 1);
    CHECK(h.messages[0] == "lbt:1:2: x");
    CHECK(pong == "hi");
    CHECK(h.closed == 4008);
    CHECK(close_payload == std::string("\x0f\xa8", 2));
    CHECK(reader.phase() == WsReader::Phase::closed);
}

TEST_CASE("ws reader: a refused upgrade is a failure with the status") {
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(lfd, 4) == 0);
    socklen_t len = sizeof addr;
    getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
    std::thread server([&] {
        Peer p;
        p.fd = ::accept(lfd, nullptr, nullptr);
        p.fill(4);
        p.send("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ::close(p.fd);
    });
    Recorder h;
    WsReader reader;
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7f000001);
    std::string reason;
    REQUIRE(reader.start(source, addr, reason));
    std::vector<char> scratch(1024);
    const std::int64_t end = mono_ns() + 5'000'000'000;
    while (h.failed.empty() && h.closed < 0 && mono_ns() < end) {
        pollfd p{reader.fd(), static_cast<short>(reader.phase() == WsReader::Phase::connecting ? POLLOUT : POLLIN), 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        if (reader.phase() == WsReader::Phase::connecting) reader.on_writable("127.0.0.1", "/ws", h);
        else reader.on_readable(scratch, h);
    }
    server.join();
    ::close(lfd);
    CHECK(h.failed == "http 429");
    CHECK(h.closed == -1);
}
