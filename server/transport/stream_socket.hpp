#pragma once
// A reader's or editor's socket once the HTTP request is done: plain TCP, or
// TLS over it (TlsChannel). WsSession and SseSession read and write through
// it and never ask which: non-blocking reads that hand back plaintext, and
// gather writes that report how much of the caller's bytes were taken.
//
// Plain: read(2) into the shard's scratch buffer, one sendmsg(2) for up to
// 64 frames, nothing copied. TLS: the ciphertext read lands in the scratch
// buffer and is decrypted into the thread's plaintext buffer; frames are
// gathered (up to 64 KiB) into one TLS record stream, so a burst costs
// one encryption pass and one sendmsg, and the ciphertext not yet taken by
// the kernel waits in the channel (output_pending), bounded by one such
// batch: nothing more is encrypted until it is out.
//
// Threading: the owning connection's shard thread only.

#include <sys/uio.h>

#include <memory>
#include <string_view>
#include <vector>

#include "tls/tls_channel.hpp"
#include "transport/net.hpp"
#include "transport/outbound_queue.hpp"

namespace liveblog {

class StreamSocket {
public:
    enum class Status {
        ok,           // bytes moved (a TLS read may hand back no plaintext yet: read again)
        would_block,  // wait for the socket (readable for read(), writable for write()/flush())
        closed,       // the peer ended the stream (EOF, or TLS close_notify)
        failed,       // a socket or TLS error
    };
    struct WriteResult {
        std::size_t taken = 0;  // caller's bytes written (plain) or encrypted and queued (TLS)
        Status status = Status::ok;
    };

    StreamSocket(tcp::socket&& socket, std::unique_ptr<TlsChannel> tls);
    ~StreamSocket();

    tcp::socket& socket() { return socket_; }
    bool secure() const { return tls_ != nullptr; }

    // Reads what the socket has; on ok `plain` views the plaintext until the
    // next read on this thread. TLS: plaintext that arrived along with the
    // peer's close_notify is handed back first (ok), closed comes next time.
    Status read(std::vector<char>& scratch, std::string_view& plain);
    // Writes (plain) or encrypts and writes (TLS) from the gather list.
    // would_block: the socket is full; what was taken is in `taken`.
    WriteResult write(const iovec* iov, std::size_t count);
    // TLS: ciphertext still waiting for the kernel (handshake bytes, or the
    // tail of the last batch). ok once it is all out.
    bool output_pending() const { return tls_ && tls_->output_pending(); }
    Status flush();
    // Ends the stream: TLS sends its close_notify if the socket takes it
    // at once; then the socket is shut down and closed.
    void close();
    const std::string& tls_error() const;

private:
    tcp::socket socket_;
    std::unique_ptr<TlsChannel> tls_;
    bool peer_closed_ = false;  // TLS: close_notify seen, to report after the plaintext before it
};

// Writes `queue` through `io` until the queue is empty and the socket has
// taken everything (ok), the socket is full (would_block: wait writable and
// call again) or the connection failed. `front_written` is how far into the
// front frame the previous call got; `bytes_of(frame)` is the frame's form
// on this transport (Frame::ws, Frame::sse); `popped(size)` runs for every
// frame wholly taken.
template <class BytesOf, class Popped>
StreamSocket::Status drain_queue(StreamSocket& io, OutboundQueue& queue, std::size_t& front_written, BytesOf bytes_of,
                                 Popped popped) {
    constexpr std::size_t max_gather = 64;  // frames per write (IOV_MAX is 1024)
    while (!queue.empty()) {
        // A raw iovec array: no per-element construction on the hottest path
        // (one call per reader per flush).
        iovec iov[max_gather];
        const std::size_t count = std::min(queue.size(), max_gather);
        for (std::size_t i = 0; i < count; ++i) {
            const std::string& bytes = bytes_of(queue.at(i));
            const std::size_t skip = i == 0 ? front_written : 0;
            iov[i].iov_base = const_cast<char*>(bytes.data() + skip);
            iov[i].iov_len = bytes.size() - skip;
        }
        const auto r = io.write(iov, count);
        // Pop what is wholly taken; remember how far into the next frame we got.
        std::size_t left = r.taken + front_written;
        front_written = 0;
        while (!queue.empty() && left >= bytes_of(queue.front()).size()) {
            const std::size_t size = bytes_of(queue.front()).size();
            left -= size;
            queue.pop();
            popped(size);
        }
        front_written = left;
        if (r.status != StreamSocket::Status::ok) return r.status;
    }
    return io.flush();
}

}  // namespace liveblog
