#pragma once
// The HTTP phase of a TLS connection, for Beast: an AsyncReadStream and
// AsyncWriteStream over the session's beast::tcp_stream and its TlsChannel.
// Every socket operation goes through the tcp_stream, so its deadline (the
// handshake timeout) bounds the TLS handshake and the request together.
//
// Reads: decrypted bytes not yet handed to Beast wait in pending_plain();
// at an upgrade they, after what Beast's buffer holds, are the first bytes
// of the WebSocket. Writes: the buffers are encrypted together (one run of
// records) and the call completes when the kernel has taken the ciphertext.
// Only one read and one write at a time, never both (HttpSession's turn
// taking), so one ciphertext buffer serves both directions.

#include <boost/asio/compose.hpp>
#include <boost/asio/coroutine.hpp>
#include <boost/asio/write.hpp>

#include "tls/tls_channel.hpp"
#include "transport/net.hpp"

namespace liveblog {

class TlsHttpStream {
public:
    using executor_type = beast::tcp_stream::executor_type;

    TlsHttpStream(beast::tcp_stream& next, TlsChannel& tls) : next_(next), tls_(tls) {}
    executor_type get_executor() { return next_.get_executor(); }
    std::string& pending_plain() { return plain_; }

    template <class MutableBuffers, class Handler>
    auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        return net::async_compose<Handler, void(error_code, std::size_t)>(ReadOp<MutableBuffers>(*this, buffers),
                                                                          handler, next_);
    }

    template <class ConstBuffers, class Handler>
    auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        return net::async_compose<Handler, void(error_code, std::size_t)>(WriteOp<ConstBuffers>(*this, buffers),
                                                                          handler, next_);
    }

private:
    // Moves the channel's ciphertext into out_ for an async_write (the
    // channel's buffer may grow while the write is in flight).
    bool take_output() {
        if (!tls_.output_pending()) return false;
        out_.assign(tls_.output());
        tls_.consumed(out_.size());
        return true;
    }

    template <class MutableBuffers>
    struct ReadOp : net::coroutine {
        TlsHttpStream& s;
        MutableBuffers buffers;
        ReadOp(TlsHttpStream& stream, const MutableBuffers& b) : s(stream), buffers(b) {}

        template <class Self>
        void operator()(Self& self, error_code ec = {}, std::size_t n = 0) {
            BOOST_ASIO_CORO_REENTER(*this) {
                if (!s.plain_.empty()) {
                    // Never complete inside the initiating call.
                    BOOST_ASIO_CORO_YIELD net::post(s.next_.get_executor(), std::move(self));
                    return deliver(self);
                }
                for (;;) {
                    if (s.take_output()) {
                        BOOST_ASIO_CORO_YIELD net::async_write(s.next_, net::buffer(s.out_), std::move(self));
                        if (ec) return self.complete(ec, 0);
                    }
                    if (!s.plain_.empty()) return deliver(self);
                    if (s.in_.size() < 16 * 1024 + 512) s.in_.resize(16 * 1024 + 512);
                    BOOST_ASIO_CORO_YIELD s.next_.async_read_some(net::buffer(s.in_), std::move(self));
                    if (ec) return self.complete(ec, 0);
                    {
                        const auto r = s.tls_.receive(std::string_view(s.in_.data(), n), s.plain_);
                        if (r == TlsChannel::Result::failed) return self.complete(net::error::connection_aborted, 0);
                        if (r == TlsChannel::Result::closed && s.plain_.empty())
                            return self.complete(net::error::eof, 0);
                    }
                }
            }
        }

        template <class Self>
        void deliver(Self& self) {
            const std::size_t n = net::buffer_copy(buffers, net::buffer(s.plain_));
            s.plain_.erase(0, n);
            self.complete({}, n);
        }
    };

    template <class ConstBuffers>
    struct WriteOp : net::coroutine {
        TlsHttpStream& s;
        ConstBuffers buffers;
        WriteOp(TlsHttpStream& stream, const ConstBuffers& b) : s(stream), buffers(b) {}
        std::size_t total = 0;
        bool encrypted = false;

        template <class Self>
        void operator()(Self& self, error_code ec = {}, std::size_t = 0) {
            BOOST_ASIO_CORO_REENTER(*this) {
                {
                    std::string plain;
                    plain.reserve(net::buffer_size(buffers));
                    for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
                        net::const_buffer b = *it;
                        plain.append(static_cast<const char*>(b.data()), b.size());
                    }
                    total = plain.size();
                    encrypted = s.tls_.send(plain);
                }
                if (!encrypted) {
                    BOOST_ASIO_CORO_YIELD net::post(s.next_.get_executor(), std::move(self));
                    return self.complete(net::error::connection_aborted, 0);
                }
                s.take_output();
                BOOST_ASIO_CORO_YIELD net::async_write(s.next_, net::buffer(s.out_), std::move(self));
                self.complete(ec, ec ? 0 : total);
            }
        }
    };

    beast::tcp_stream& next_;
    TlsChannel& tls_;
    std::string plain_;     // decrypted, not yet read
    std::vector<char> in_;  // ciphertext read
    std::string out_;       // ciphertext being written
};

}  // namespace liveblog
