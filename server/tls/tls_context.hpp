#pragma once
// TLS settings, OpenSSL only (no sockets, no Asio): what a connection's
// TlsChannel is made from.
//
// The server's context: TLS 1.2 and 1.3 only, the forward-secret AEAD
// suites of Mozilla's "intermediate" profile for 1.2, no renegotiation
// (a CPU-exhaustion lever) and no compression (CRIME), ALPN http/1.1 (a
// client offering only h2 gets the no_application_protocol alert), one
// session ticket per handshake, OpenSSL's record buffers released between
// records (SSL_MODE_RELEASE_BUFFERS). Even so an idle TLS reader costs about
// 16 KiB more than a plain one (measured: docs/benchmarks.md "TLS").
//
// TlsCertificates is the server's current context: SIGHUP builds a new one
// from the files and swaps it in; connections already open keep the one they
// were made with (an SSL holds a reference to its SSL_CTX), so a reload
// drops nobody. A pair that does not load leaves the old one in use.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace liveblog {

class TlsContext {
public:
    // Throws std::runtime_error naming the file and OpenSSL's reason (missing
    // file, not PEM, key not matching the certificate).
    static std::shared_ptr<TlsContext> server(const std::string& cert_file, const std::string& key_file);
    // A client that verifies nothing: the load generator and the tests, which
    // talk to a self-signed certificate on loopback. Offers ALPN http/1.1.
    static std::shared_ptr<TlsContext> insecure_client();
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    SSL_CTX* native() const { return ctx_; }
    // "CN=live.example, expires 2027-03-01T00:00:00Z" (for the log).
    const std::string& description() const { return description_; }
    // The certificate's notAfter, in seconds since the Unix epoch (0: none).
    std::int64_t not_after() const { return not_after_; }

private:
    explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
    SSL_CTX* ctx_;
    std::string description_;
    std::int64_t not_after_ = 0;
};

class TlsCertificates {
public:
    TlsCertificates(std::string cert_file, std::string key_file);  // throws like TlsContext::server
    std::shared_ptr<TlsContext> current() const;
    // Loads the files again; false (and `error` set) keeps the current pair.
    bool reload(std::string& error);

private:
    std::string cert_file_, key_file_;
    mutable std::mutex mutex_;
    std::shared_ptr<TlsContext> current_;
};

// OpenSSL's queued errors as one line, emptied ("" when there is none).
std::string take_openssl_errors();

}  // namespace liveblog
