#pragma once
// One connection's TLS, as a pure transformation with no socket: ciphertext
// from the peer goes in through receive() and comes out as plaintext;
// plaintext goes in through send() and waits in output() as ciphertext
// until the caller has written it to its socket and said so (consumed()).
//
// Why no socket: the server's transports already own their non-blocking
// socket, their edge-triggered reads into the shard's scratch buffer and
// their gather writes; TLS slots in between without a second event loop,
// and the same class serves the HTTP phase (through Beast), the WebSocket
// and SSE paths, the load generator (client side) and the unit tests (two
// channels wired back to back).
//
// Invariants: output() holds only bytes the caller has not yet written; an
// idle channel keeps at most a 4 KiB ciphertext buffer of its own (OpenSSL's
// per-connection state is the larger part: docs/benchmarks.md "TLS").

#include <memory>
#include <string>
#include <string_view>

#include "tls/tls_context.hpp"

typedef struct ssl_st SSL;

namespace liveblog {

class TlsChannel {
public:
    enum class Role { server, client };
    enum class Result {
        ok,      // go on (the plaintext may be empty: half a record, or the handshake)
        closed,  // the peer sent close_notify
        failed,  // a TLS error (a bad record, a failed handshake): error() says which
    };

    TlsChannel(std::shared_ptr<TlsContext> context, Role role);
    ~TlsChannel();
    TlsChannel(const TlsChannel&) = delete;
    TlsChannel& operator=(const TlsChannel&) = delete;

    // Client: the ClientHello, in output().
    void start_handshake();
    // Ciphertext from the peer; plaintext is appended to `plain`.
    Result receive(std::string_view ciphertext, std::string& plain);
    // Plaintext to the peer (only once the handshake is done: true then);
    // records of up to 16 KiB land in output().
    bool send(std::string_view plaintext);
    // A close_notify alert, in output().
    void close_notify();

    std::string_view output() const { return std::string_view(output_).substr(output_sent_); }
    void consumed(std::size_t n);
    bool output_pending() const { return output_sent_ < output_.size(); }
    bool handshake_done() const;
    bool failed() const { return failed_; }
    const std::string& error() const { return error_; }
    std::string protocol() const;  // "TLSv1.3"
    std::string alpn() const;      // "http/1.1", or "" when none was agreed
    // SHA-256 of the peer's certificate (hex), "" when it sent none: which
    // certificate a client was served (tests of the SIGHUP reload).
    std::string peer_certificate_sha256() const;

private:
    friend struct TlsChannelBio;
    std::shared_ptr<TlsContext> context_;  // the SSL_CTX outlives the SSL
    SSL* ssl_ = nullptr;
    std::string_view input_;               // ciphertext receive() is feeding OpenSSL
    std::string output_;                   // ciphertext for the peer; [output_sent_, size) still to write
    std::size_t output_sent_ = 0;
    bool failed_ = false;
    std::string error_;
};

}  // namespace liveblog
