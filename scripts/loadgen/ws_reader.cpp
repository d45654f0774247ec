#include "ws_reader.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <netinet/tcp.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "clock.hpp"
#include "websocket/handshake.hpp"
#include "websocket/permessage_deflate.hpp"
#include "websocket/wire.hpp"

namespace liveblog::load {
namespace {

constexpr std::size_t max_response_head = 16 * 1024;

// Per process: a subscriber process is one thread.
bool deflate_offered = false;
bool tls_on = false;

std::shared_ptr<TlsContext> client_tls() {
    static std::shared_ptr<TlsContext> ctx = TlsContext::insecure_client();
    return ctx;
}
std::uint64_t wire_bytes = 0;

// Keys and masks need to be unpredictable to proxies, not secret: a per-process
// seed from getrandom, then splitmix64.
std::uint64_t random64() {
    static std::uint64_t state = [] {
        std::uint64_t seed = 0;
        if (getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = static_cast<std::uint64_t>(wall_ns()) ^ static_cast<std::uint64_t>(getpid());
        return seed;
    }();
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

// Value of header `name` in a response head (status line first); empty if absent.
std::string_view header_value(std::string_view head, std::string_view name) {
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        const std::size_t start = pos + 2;
        const std::size_t end = head.find("\r\n", start);
        const std::string_view line = head.substr(start, end == std::string_view::npos ? head.size() - start : end - start);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && iequals(trim(line.substr(0, colon)), name)) return trim(line.substr(colon + 1));
        pos = end;
    }
    return {};
}

const char* errno_reason(int e) {
    switch (e) {
        case ECONNREFUSED: return "ECONNREFUSED";
        case ECONNRESET: return "ECONNRESET";
        case ETIMEDOUT: return "ETIMEDOUT";
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
        case EADDRINUSE: return "EADDRINUSE";
        case EMFILE: return "EMFILE";
        case ENFILE: return "ENFILE";
        case ENOBUFS: return "ENOBUFS";
        case EPIPE: return "EPIPE";
        case ENETUNREACH: return "ENETUNREACH";
        default: return "errno";
    }
}

}  // namespace

WsReader::~WsReader() { close_socket(); }

void WsReader::close_socket() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    tls_.reset();
    if (!handler_) parser_.reset();  // inside feed() the parser is reset once it returns
    std::string().swap(head_);
}

bool WsReader::start(const sockaddr_in& source, const sockaddr_in& server, std::string& reason) {
    close_socket();
    parser_.reset();
    phase_ = Phase::closed;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        reason = errno_reason(errno);
        return false;
    }
    const int one = 1;
    setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0 ||
        (::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0 && errno != EINPROGRESS)) {
        reason = errno_reason(errno);
        close_socket();
        return false;
    }
    phase_ = Phase::connecting;
    return true;
}

bool WsReader::on_writable(std::string_view host, std::string_view path, Handler& handler) {
    if (phase_ != Phase::connecting) return phase_ == Phase::upgrading || phase_ == Phase::open;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
        fail(handler, errno_reason(err));
        return false;
    }
    host_ = host;
    path_ = path;
    if (tls_on) {
        tls_ = std::make_unique<TlsChannel>(client_tls(), TlsChannel::Role::client);
        tls_->start_handshake();
        phase_ = Phase::handshaking;
        if (!send_raw({})) {
            fail(handler, "short write");
            return false;
        }
        return true;
    }
    return send_upgrade(handler);
}

bool WsReader::send_upgrade(Handler& handler) {
    unsigned char raw[16];
    const std::uint64_t a = random64(), b = random64();
    std::memcpy(raw, &a, 8);
    std::memcpy(raw + 8, &b, 8);
    unsigned char encoded[32];
    EVP_EncodeBlock(encoded, raw, 16);  // 24 characters and a NUL
    std::memcpy(key_.data(), encoded, key_.size());
    static thread_local std::string request;
    request.clear();
    request.append("GET ").append(path_).append(" HTTP/1.1\r\nHost: ").append(host_);
    request.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ");
    request.append(key_.data(), key_.size()).append("\r\n");
    if (deflate_offered) request.append("Sec-WebSocket-Extensions: ").append(ws::permessage_deflate_offer).append("\r\n");
    request.append("\r\n");
    if (!send_raw(request)) {
        fail(handler, errno ? errno_reason(errno) : "short write");
        return false;
    }
    phase_ = Phase::upgrading;
    return true;
}

// Plain: one send. TLS: `bytes` encrypted, then everything the channel has
// for the server (handshake flights too) in one send.
bool WsReader::send_raw(std::string_view bytes) {
    if (fd_ < 0) return false;
    errno = 0;
    if (tls_) {
        if (!bytes.empty() && !tls_->send(bytes)) return false;
        const std::string_view out = tls_->output();
        if (out.empty()) return true;
        const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) tls_->consumed(static_cast<std::size_t>(n));
        return n == static_cast<ssize_t>(out.size());
    }
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return n == static_cast<ssize_t>(bytes.size());
}

void WsReader::on_readable(std::span<char> scratch, Handler& handler) {
    for (int round = 0; round < 4; ++round) {
        if (phase_ != Phase::handshaking && phase_ != Phase::upgrading && phase_ != Phase::open) return;
        const ssize_t n = ::recv(fd_, scratch.data(), scratch.size(), 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            if (phase_ == Phase::upgrading) fail(handler, errno_reason(errno));
            else closed_by_server(handler, 1006);
            return;
        }
        if (n == 0) {
            if (phase_ != Phase::open) fail(handler, "closed during upgrade");
            else closed_by_server(handler, 1006);
            return;
        }
        recv_ns_ = wall_ns();
        std::string_view data(scratch.data(), static_cast<std::size_t>(n));
        if (tls_ && phase_ == Phase::open) wire_bytes += data.size();  // with TLS, the ciphertext the wire carried
        if (tls_) {
            static thread_local std::string plain;
            plain.clear();
            const auto r = tls_->receive(data, plain);
            if (r == TlsChannel::Result::failed) {
                if (phase_ == Phase::open) closed_by_server(handler, 1006);
                else fail(handler, "tls handshake failed");
                return;
            }
            if (tls_->output_pending()) send_raw({});
            if (phase_ == Phase::handshaking) {
                if (!tls_->handshake_done()) continue;
                if (!send_upgrade(handler)) return;
            }
            data = plain;
        }
        if (phase_ == Phase::upgrading && !take_upgrade_response(data, handler)) return;
        if (phase_ != Phase::open) return;
        if (!tls_) wire_bytes += data.size();
        if (!data.empty()) {
            handler_ = &handler;
            const bool ok = parser_.feed(data, *this);
            handler_ = nullptr;
            if (phase_ != Phase::open) {
                parser_.reset();
                return;
            }
            if (!ok) {
                send_frame(Opcode::close, std::string_view("\x03\xea", 2));  // 1002 protocol error
                closed_by_server(handler, 1002);
                return;
            }
        }
        if (static_cast<std::size_t>(n) < scratch.size()) return;  // the socket is drained
    }
}

bool WsReader::take_upgrade_response(std::string_view& data, Handler& handler) {
    const std::size_t before = head_.size();
    head_.append(data);
    // The end of the head may straddle the previous read: search from 3 bytes back.
    const std::size_t end = head_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (end == std::string::npos) {
        if (head_.size() > max_response_head) fail(handler, "response head too large");
        data = {};
        return phase_ == Phase::upgrading;
    }
    const std::string_view head(head_.data(), end + 2);
    const std::size_t rest = head_.size() - (end + 4);
    data = data.substr(data.size() - rest);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") {
        fail(handler, "not HTTP");
        return false;
    }
    const std::string_view status = head.substr(9, 3);
    if (status != "101") {
        std::string reason = "http ";
        reason.append(status);
        fail(handler, reason);
        return false;
    }
    if (header_value(head, "sec-websocket-accept") != ws::accept_key(std::string_view(key_.data(), key_.size()))) {
        fail(handler, "bad Sec-WebSocket-Accept");
        return false;
    }
    parser_.set_compression(header_value(head, "sec-websocket-extensions").starts_with("permessage-deflate"));
    std::string().swap(head_);
    phase_ = Phase::open;
    handler.on_open(*this);
    return phase_ == Phase::open;
}

bool WsReader::send_text(std::string_view payload) { return send_frame(Opcode::text, payload); }

bool WsReader::send_frame(Opcode op, std::string_view payload) {
    if (fd_ < 0) return false;
    static thread_local std::string out;
    out.clear();
    const auto mask = static_cast<std::uint32_t>(random64());
    char m[4];
    std::memcpy(m, &mask, 4);
    ws::append_frame(out, op, payload, m);
    return send_raw(out);
}

void WsReader::abort() {
    if (fd_ >= 0) {
        const linger lg{1, 0};
        setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close_socket();
    phase_ = Phase::closed;
}

void WsReader::fail(Handler& handler, std::string_view reason) {
    close_socket();
    phase_ = Phase::closed;
    handler.on_failed(*this, reason);
}

void WsReader::closed_by_server(Handler& handler, std::uint16_t code) {
    close_socket();
    phase_ = Phase::closed;
    handler.on_closed(*this, code);
}

void WsReader::on_message(std::string_view payload, bool text) {
    if (parser_.message_compressed()) {
        static std::string inflated;
        bool too_big = false;
        if (!ws::inflate_message(payload, 64u << 20, inflated, too_big)) inflated = "{\"type\":\"undecodable\"}";
        payload = inflated;
    }
    handler_->on_message(*this, payload, text, recv_ns_);
}

void WsReader::offer_deflate(bool on) { deflate_offered = on; }
void WsReader::use_tls(bool on) { tls_on = on; }
std::uint64_t WsReader::wire_bytes_received() { return wire_bytes; }

void WsReader::on_ping(std::string_view payload) { send_frame(Opcode::pong, payload); }

void WsReader::on_pong(std::string_view) {}

void WsReader::on_close(std::uint16_t code, std::string_view) {
    if (code == 1005) {
        send_frame(Opcode::close, {});
    } else {
        const char echo[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
        send_frame(Opcode::close, std::string_view(echo, 2));
    }
    closed_by_server(*handler_, code);
}

}  // namespace liveblog::load
