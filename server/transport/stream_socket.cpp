#include "transport/stream_socket.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <string>

namespace liveblog {

namespace {
constexpr std::size_t max_batch = 64 << 10;  // plaintext encrypted per write()

// Per thread (each shard has one): TLS reads decrypt here, batches gather here.
thread_local std::string tls_plain;
thread_local std::string tls_batch;

StreamSocket::Status errno_status(int e) {
    if (e == EAGAIN || e == EWOULDBLOCK) return StreamSocket::Status::would_block;
    return StreamSocket::Status::failed;
}
}  // namespace

StreamSocket::StreamSocket(tcp::socket&& socket, std::unique_ptr<TlsChannel> tls)
    : socket_(std::move(socket)), tls_(std::move(tls)) {}

StreamSocket::~StreamSocket() = default;

const std::string& StreamSocket::tls_error() const {
    static const std::string none;
    return tls_ ? tls_->error() : none;
}

StreamSocket::Status StreamSocket::read(std::vector<char>& scratch, std::string_view& plain) {
    if (peer_closed_) return Status::closed;
    for (;;) {
        const ssize_t n = ::recv(socket_.native_handle(), scratch.data(), scratch.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_status(errno);
        if (n == 0) return Status::closed;
        if (!tls_) {
            plain = std::string_view(scratch.data(), static_cast<std::size_t>(n));
            return Status::ok;
        }
        tls_plain.clear();
        const auto r = tls_->receive(std::string_view(scratch.data(), static_cast<std::size_t>(n)), tls_plain);
        if (r == TlsChannel::Result::failed) return Status::failed;
        if (r == TlsChannel::Result::closed) {
            peer_closed_ = true;
            if (tls_plain.empty()) return Status::closed;
        }
        plain = tls_plain;
        return Status::ok;
    }
}

StreamSocket::Status StreamSocket::flush() {
    while (tls_ && tls_->output_pending()) {
        const std::string_view out = tls_->output();
        const ssize_t n = ::send(socket_.native_handle(), out.data(), out.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_status(errno);
        tls_->consumed(static_cast<std::size_t>(n));
    }
    return Status::ok;
}

StreamSocket::WriteResult StreamSocket::write(const iovec* iov, std::size_t count) {
    WriteResult result;
    if (!tls_) {
        msghdr msg{};
        msg.msg_iov = const_cast<iovec*>(iov);
        msg.msg_iovlen = count;
        std::size_t total = 0;
        for (std::size_t i = 0; i < count; ++i) total += iov[i].iov_len;
        for (;;) {
            const ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                result.status = errno_status(errno);
                return result;
            }
            result.taken = static_cast<std::size_t>(n);
            if (result.taken < total) result.status = Status::would_block;  // the socket is full
            return result;
        }
    }
    // TLS: what is already encrypted goes first; nothing new is encrypted
    // while the kernel cannot take it (the bound on ciphertext held).
    if (Status s = flush(); s != Status::ok) {
        result.status = s;
        return result;
    }
    tls_batch.clear();
    for (std::size_t i = 0; i < count && tls_batch.size() < max_batch; ++i) {
        const std::size_t room = max_batch - tls_batch.size();
        const std::size_t n = std::min(room, iov[i].iov_len);
        tls_batch.append(static_cast<const char*>(iov[i].iov_base), n);
    }
    if (!tls_->send(tls_batch)) {
        result.status = Status::failed;
        return result;
    }
    result.taken = tls_batch.size();
    if (tls_batch.capacity() > 2 * max_batch) std::string().swap(tls_batch);
    result.status = flush();
    return result;
}

void StreamSocket::close() {
    error_code ignored;
    if (tls_ && !tls_->failed()) {
        tls_->close_notify();
        flush();  // one try: a peer that does not read gets no alert
    }
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace liveblog
