#include "tls/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>
#include <ctime>
#include <stdexcept>

namespace liveblog {

namespace {

constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Mozilla "intermediate" (TLS 1.2 part; the TLS 1.3 suites are set in its order below).
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, outlen, alpn_http11, sizeof alpn_http11, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;  // RFC 7301: no_application_protocol
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

std::string asn1_time_iso(const ASN1_TIME* t) {
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string describe(SSL_CTX* ctx) {
    X509* cert = SSL_CTX_get0_certificate(ctx);
    if (!cert) return "no certificate";
    char subject[256] = "?";
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
    return std::string(subject) + ", expires " + asn1_time_iso(X509_get0_notAfter(cert));
}

}  // namespace

std::string take_openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

std::shared_ptr<TlsContext> TlsContext::server(const std::string& cert_file, const std::string& key_file) {
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) throw std::runtime_error("tls: cannot create a context: " + take_openssl_errors());
    std::shared_ptr<TlsContext> out(new TlsContext(ctx));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_cipher_list(ctx, tls12_ciphers);
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384");
    SSL_CTX_set_dh_auto(ctx, 1);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_num_tickets(ctx, 1);
    static const unsigned char session_context[] = "liveblog";
    SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
        throw std::runtime_error("tls_cert: cannot load " + cert_file + ": " + take_openssl_errors());
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        const std::string why = take_openssl_errors();
        if (why.find("key values mismatch") != std::string::npos)
            throw std::runtime_error("tls_key: " + key_file + " is not the key of " + cert_file);
        throw std::runtime_error("tls_key: cannot load " + key_file + ": " + why);
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
        throw std::runtime_error("tls_key: " + key_file + " is not the key of " + cert_file + ": " +
                                 take_openssl_errors());
    out->description_ = describe(ctx);
    struct tm tm {};
    if (X509* cert = SSL_CTX_get0_certificate(ctx); cert && ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1)
        out->not_after_ = static_cast<std::int64_t>(timegm(&tm));
    return out;
}

std::shared_ptr<TlsContext> TlsContext::insecure_client() {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) throw std::runtime_error("tls: cannot create a context: " + take_openssl_errors());
    std::shared_ptr<TlsContext> out(new TlsContext(ctx));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_alpn_protos(ctx, alpn_http11, sizeof alpn_http11);
    out->description_ = "client";
    return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsCertificates::TlsCertificates(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), current_(TlsContext::server(cert_file_, key_file_)) {}

std::shared_ptr<TlsContext> TlsCertificates::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

bool TlsCertificates::reload(std::string& error) {
    try {
        auto fresh = TlsContext::server(cert_file_, key_file_);
        std::lock_guard lock(mutex_);
        current_ = std::move(fresh);
        return true;
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
}

}  // namespace liveblog
