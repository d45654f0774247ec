#include "http_connection.hpp"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "clock.hpp"

namespace liveblog::load {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool istarts(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != lower(prefix[i])) return false;
    return true;
}

std::string_view trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
    return v;
}

int remaining_ms(std::int64_t deadline) {
    const std::int64_t left = (deadline - mono_ns()) / 1'000'000;
    return left < 0 ? 0 : static_cast<int>(left > 1'000'000 ? 1'000'000 : left);
}

}  // namespace

HttpConnection::HttpConnection(HttpConnection&& o) noexcept { *this = std::move(o); }

HttpConnection& HttpConnection::operator=(HttpConnection&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = o.fd_;
        o.fd_ = -1;
        in_ = std::move(o.in_);
        consumed_ = o.consumed_;
        status_ = o.status_;
        body_ = std::move(o.body_);
        keep_alive_ = o.keep_alive_;
        until_close_ = o.until_close_;
        eof_ = o.eof_;
        malformed_ = o.malformed_;
        tls_ = std::move(o.tls_);
    }
    return *this;
}

bool HttpConnection::connect(const sockaddr_in& server, double timeout_s, std::string& error, bool tls) {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
        if (errno != EINPROGRESS) {
            error = std::string("connect: ") + std::strerror(errno);
            close();
            return false;
        }
        pollfd p{fd_, POLLOUT, 0};
        const int n = ::poll(&p, 1, static_cast<int>(timeout_s * 1000));
        int err = 0;
        socklen_t len = sizeof err;
        if (n <= 0 || getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            error = std::string("connect: ") + (n <= 0 ? "timeout" : std::strerror(err));
            close();
            return false;
        }
    }
    in_.clear();
    consumed_ = 0;
    status_ = 0;
    eof_ = false;
    malformed_ = false;
    until_close_ = false;
    if (tls) {
        static std::shared_ptr<TlsContext> context = TlsContext::insecure_client();
        tls_ = std::make_unique<TlsChannel>(context, TlsChannel::Role::client);
        tls_->start_handshake();
        const std::int64_t deadline = mono_ns() + seconds_to_ns(timeout_s);
        while (!tls_->handshake_done()) {
            if (!flush_tls(deadline)) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
            char buf[16384];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) break;
            std::string ignored;
            if (n > 0 && tls_->receive(std::string_view(buf, static_cast<std::size_t>(n)), ignored) !=
                             TlsChannel::Result::ok)
                break;
        }
        if (!tls_->handshake_done() || !flush_tls(deadline)) {
            error = "tls handshake: " + (tls_->error().empty() ? std::string("failed or timed out") : tls_->error());
            close();
            return false;
        }
    }
    return true;
}

void HttpConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    tls_.reset();
}

bool HttpConnection::flush_tls(std::int64_t deadline) {
    if (!tls_) return true;
    const bool ok = send_raw(tls_->output(), deadline);
    tls_->consumed(tls_->output().size());
    return ok;
}

bool HttpConnection::send_all(std::string_view bytes, double timeout_s) {
    const std::int64_t deadline = mono_ns() + seconds_to_ns(timeout_s);
    if (tls_) return tls_->send(bytes) && flush_tls(deadline);
    return send_raw(bytes, deadline);
}

bool HttpConnection::send_raw(std::string_view bytes, std::int64_t deadline) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
            continue;
        }
        return false;
    }
    return true;
}

HttpConnection::Read HttpConnection::read_available() {
    if (malformed_) return Read::error;
    if (parse()) return Read::response;
    char buf[16384];
    for (int round = 0; round < 64; ++round) {
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0 && tls_) {
            const auto r = tls_->receive(std::string_view(buf, static_cast<std::size_t>(n)), in_);
            if (tls_->output_pending()) flush_tls(mono_ns() + seconds_to_ns(1));
            if (r == TlsChannel::Result::failed) return Read::error;
            if (r == TlsChannel::Result::closed) eof_ = true;
            if (parse()) return Read::response;
            if (eof_) return malformed_ ? Read::error : Read::closed;
            if (malformed_ || in_.size() > (1u << 20)) return Read::error;
            continue;
        }
        if (n > 0) {
            in_.append(buf, static_cast<std::size_t>(n));
            if (parse()) return Read::response;
            if (malformed_ || in_.size() > (1u << 20)) return Read::error;
            continue;
        }
        if (n == 0) {
            eof_ = true;
            if (parse()) return Read::response;
            return malformed_ ? Read::error : Read::closed;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return Read::incomplete;
        return Read::error;
    }
    return Read::incomplete;
}

HttpConnection::Read HttpConnection::read_response(double timeout_s) {
    const std::int64_t deadline = mono_ns() + seconds_to_ns(timeout_s);
    for (;;) {
        const Read r = read_available();
        if (r != Read::incomplete) return r;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return Read::error;
    }
}

void HttpConnection::next() {
    in_.erase(0, consumed_);
    consumed_ = 0;
    status_ = 0;
    body_.clear();
}

bool HttpConnection::parse() {
    if (status_ != 0) return true;  // the parsed response was not taken yet
    const std::size_t head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    const std::string_view head(in_.data(), head_end + 2);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") {
        malformed_ = true;
        return false;
    }
    int status = 0;
    std::from_chars(head.data() + 9, head.data() + 12, status);
    std::uint64_t length = 0;
    bool has_length = false, chunked = false;
    keep_alive_ = head.substr(0, 8) != "HTTP/1.0";
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        const std::size_t start = pos + 2;
        const std::size_t end = head.find("\r\n", start);
        const std::string_view line = head.substr(start, end - start);
        if (istarts(line, "content-length:")) {
            const std::string_view v = trim(line.substr(15));
            std::from_chars(v.data(), v.data() + v.size(), length);
            has_length = true;
        } else if (istarts(line, "transfer-encoding:")) {
            chunked = trim(line.substr(18)).find("chunked") != std::string_view::npos;
        } else if (istarts(line, "connection:")) {
            const std::string_view v = trim(line.substr(11));
            if (istarts(v, "close")) keep_alive_ = false;
            if (istarts(v, "keep-alive")) keep_alive_ = true;
        }
        pos = end;
    }
    const std::size_t body_start = head_end + 4;
    const bool no_body = (status >= 100 && status < 200) || status == 204 || status == 304;
    if (no_body) {
        body_.clear();
        consumed_ = body_start;
    } else if (chunked) {
        std::string body;
        std::size_t p = body_start;
        for (;;) {
            const std::size_t eol = in_.find("\r\n", p);
            if (eol == std::string::npos) return false;
            std::uint64_t size = 0;
            auto [ptr, ec] = std::from_chars(in_.data() + p, in_.data() + eol, size, 16);
            if (ec != std::errc{}) return false;
            (void)ptr;
            if (size == 0) {
                const std::size_t trailer_end = in_.find("\r\n", eol + 2);  // no trailers expected
                if (trailer_end == std::string::npos) return false;
                consumed_ = trailer_end + 2;
                break;
            }
            if (in_.size() < eol + 2 + size + 2) return false;
            body.append(in_, eol + 2, static_cast<std::size_t>(size));
            p = eol + 2 + static_cast<std::size_t>(size) + 2;
        }
        body_ = std::move(body);
    } else if (has_length) {
        if (in_.size() < body_start + length) return false;
        body_.assign(in_, body_start, static_cast<std::size_t>(length));
        consumed_ = body_start + static_cast<std::size_t>(length);
    } else {
        until_close_ = true;
        keep_alive_ = false;
        if (!eof_) return false;
        body_.assign(in_, body_start);
        consumed_ = in_.size();
    }
    status_ = status;
    return true;
}

HttpResponse http_request(const sockaddr_in& server, std::string_view request, double timeout_s) {
    HttpResponse out;
    HttpConnection c;
    if (!c.connect(server, timeout_s, out.error)) return out;
    if (!c.send_all(request, timeout_s)) {
        out.error = "send failed";
        return out;
    }
    if (c.read_response(timeout_s) != HttpConnection::Read::response) {
        out.error = "no response";
        return out;
    }
    out.status = c.status();
    out.body = c.body();
    return out;
}

}  // namespace liveblog::load
