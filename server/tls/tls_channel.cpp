#include "tls/tls_channel.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>

namespace liveblog {

// OpenSSL reads and writes through this BIO: reads take from the channel's
// input_ (and say "retry" when it is used up: the handshake or a record
// waits for the next receive()), writes append to output_ and never block.
struct TlsChannelBio {
    static TlsChannel* channel(BIO* b) { return static_cast<TlsChannel*>(BIO_get_data(b)); }

    static int write(BIO* b, const char* data, int len) {
        BIO_clear_retry_flags(b);
        channel(b)->output_.append(data, static_cast<std::size_t>(len));
        return len;
    }
    static int read(BIO* b, char* out, int len) {
        BIO_clear_retry_flags(b);
        std::string_view& in = channel(b)->input_;
        if (in.empty()) {
            BIO_set_retry_read(b);
            return -1;
        }
        const std::size_t n = std::min(in.size(), static_cast<std::size_t>(len));
        std::memcpy(out, in.data(), n);
        in.remove_prefix(n);
        return static_cast<int>(n);
    }
    static long ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }
    static int create(BIO* b) {
        BIO_set_init(b, 1);
        return 1;
    }

    static BIO_METHOD* method() {
        static BIO_METHOD* m = [] {
            BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "liveblog-channel");
            BIO_meth_set_write(made, write);
            BIO_meth_set_read(made, read);
            BIO_meth_set_ctrl(made, ctrl);
            BIO_meth_set_create(made, create);
            return made;
        }();
        return m;
    }
};

TlsChannel::TlsChannel(std::shared_ptr<TlsContext> context, Role role) : context_(std::move(context)) {
    ssl_ = SSL_new(context_->native());
    BIO* bio = BIO_new(TlsChannelBio::method());
    BIO_set_data(bio, this);
    SSL_set_bio(ssl_, bio, bio);  // one BIO both ways; the SSL owns it
    if (role == Role::server) SSL_set_accept_state(ssl_);
    else SSL_set_connect_state(ssl_);
}

TlsChannel::~TlsChannel() { SSL_free(ssl_); }

void TlsChannel::start_handshake() {
    ERR_clear_error();
    SSL_do_handshake(ssl_);  // WANT_READ: the ClientHello is in output_
}

TlsChannel::Result TlsChannel::receive(std::string_view ciphertext, std::string& plain) {
    if (failed_) return Result::failed;
    input_ = ciphertext;
    ERR_clear_error();
    char buf[16 * 1024];
    for (;;) {
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0) {
            plain.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        const int why = SSL_get_error(ssl_, n);
        if (why == SSL_ERROR_WANT_READ) break;  // everything given was taken
        input_ = {};
        if (why == SSL_ERROR_ZERO_RETURN) return Result::closed;
        failed_ = true;
        error_ = take_openssl_errors();
        if (error_.empty()) error_ = "TLS error " + std::to_string(why);
        return Result::failed;
    }
    input_ = {};
    return Result::ok;
}

bool TlsChannel::send(std::string_view plaintext) {
    if (failed_ || !handshake_done()) return false;
    if (plaintext.empty()) return true;
    ERR_clear_error();
    // The BIO never blocks, so SSL_write takes all of it at once.
    const int n = SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size()));
    if (n <= 0) {
        failed_ = true;
        error_ = take_openssl_errors();
        return false;
    }
    return true;
}

void TlsChannel::close_notify() {
    if (failed_ || !handshake_done()) return;
    ERR_clear_error();
    SSL_shutdown(ssl_);
}

void TlsChannel::consumed(std::size_t n) {
    output_sent_ += n;
    if (output_sent_ >= output_.size()) {
        // Drained: let the buffer go (an idle reader holds none), unless it
        // is small enough to be worth keeping for the next event.
        output_sent_ = 0;
        if (output_.capacity() > 4096) std::string().swap(output_);
        else output_.clear();
    }
}

bool TlsChannel::handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }

std::string TlsChannel::protocol() const { return SSL_get_version(ssl_); }

std::string TlsChannel::alpn() const {
    const unsigned char* p = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl_, &p, &len);
    return p ? std::string(reinterpret_cast<const char*>(p), len) : std::string();
}

std::string TlsChannel::peer_certificate_sha256() const {
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (!cert) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

}  // namespace liveblog
