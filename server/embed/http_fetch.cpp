#include "embed/http_fetch.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>
#include <cstring>
#include <memory>

#include "embed/address_policy.hpp"

namespace liveblog::embed {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Url {
    std::string scheme;  // http | https
    std::string host;    // lower case; an IPv6 literal without brackets
    std::string port;
    std::string target;  // path and query, at least "/"
    bool ipv6_literal = false;
};

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

Url parse_url(const std::string& url) {
    Url u;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) throw FetchError("not an http(s) URL");
    u.scheme = lower(url.substr(0, scheme_end));
    if (u.scheme != "http" && u.scheme != "https") throw FetchError("only http and https are followed");
    auto rest = url.substr(scheme_end + 3);
    if (auto hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
    const auto path_start = rest.find_first_of("/?");
    std::string authority = rest.substr(0, path_start);
    u.target = path_start == std::string::npos ? "/" : rest.substr(path_start);
    if (u.target.front() == '?') u.target.insert(0, "/");
    if (authority.find('@') != std::string::npos) throw FetchError("URLs with credentials are not followed");
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) throw FetchError("bad IPv6 address in URL");
        u.host = authority.substr(1, close - 1);
        u.ipv6_literal = true;
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') throw FetchError("bad port in URL");
            u.port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.rfind(':');
        u.host = authority.substr(0, colon);
        if (colon != std::string::npos) u.port = authority.substr(colon + 1);
    }
    u.host = lower(u.host);
    if (u.host.empty()) throw FetchError("URL without a host");
    if (u.port.empty()) u.port = u.scheme == "https" ? "443" : "80";
    if (u.port.size() > 5 || u.port.find_first_not_of("0123456789") != std::string::npos || std::stoul(u.port) > 65535)
        throw FetchError("bad port in URL");
    for (char c : u.target)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) throw FetchError("URL with spaces or controls");
    return u;
}

std::string origin_text(const Url& u) {
    return u.scheme + "://" + (u.ipv6_literal ? "[" + u.host + "]" : u.host) + ":" + u.port;
}

std::string host_header(const Url& u) {
    std::string h = u.ipv6_literal ? "[" + u.host + "]" : u.host;
    const bool default_port = (u.scheme == "http" && u.port == "80") || (u.scheme == "https" && u.port == "443");
    return default_port ? h : h + ":" + u.port;
}

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Waits until fd is readable or writable; throws FetchError at the deadline.
void wait_for(int fd, short events, Clock::time_point deadline) {
    while (true) {
        int left = remaining_ms(deadline);
        if (left == 0) throw FetchError("timed out");
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, left);
        if (n > 0) return;
        if (n < 0 && errno != EINTR) throw FetchError("poll failed");
    }
}

// One connection, plain or TLS, on a non-blocking socket.
class Connection {
public:
    Connection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
    ~Connection() {
        if (ssl_) SSL_free(ssl_);
        ::close(fd_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void handshake(Clock::time_point deadline) {
        while (true) {
            int r = SSL_connect(ssl_);
            if (r == 1) return;
            int e = SSL_get_error(ssl_, r);
            if (e == SSL_ERROR_WANT_READ) wait_for(fd_, POLLIN, deadline);
            else if (e == SSL_ERROR_WANT_WRITE) wait_for(fd_, POLLOUT, deadline);
            else {
                long verify = SSL_get_verify_result(ssl_);
                std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : "handshake failed";
                ERR_clear_error();
                throw FetchError("TLS: " + why);
            }
        }
    }

    void write_all(std::string_view data, Clock::time_point deadline) {
        while (!data.empty()) {
            if (ssl_) {
                int r = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
                if (r > 0) {
                    data.remove_prefix(static_cast<std::size_t>(r));
                    continue;
                }
                int e = SSL_get_error(ssl_, r);
                if (e == SSL_ERROR_WANT_READ) wait_for(fd_, POLLIN, deadline);
                else if (e == SSL_ERROR_WANT_WRITE) wait_for(fd_, POLLOUT, deadline);
                else throw FetchError("connection lost while sending");
            } else {
                ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
                if (n > 0) data.remove_prefix(static_cast<std::size_t>(n));
                else if (n < 0 && (errno == EAGAIN || errno == EINTR)) wait_for(fd_, POLLOUT, deadline);
                else throw FetchError("connection lost while sending");
            }
        }
    }

    // Bytes read into buf; 0 at the end of the stream.
    std::size_t read_some(char* buf, std::size_t size, Clock::time_point deadline) {
        while (true) {
            if (ssl_) {
                int r = SSL_read(ssl_, buf, static_cast<int>(size));
                if (r > 0) return static_cast<std::size_t>(r);
                int e = SSL_get_error(ssl_, r);
                if (e == SSL_ERROR_ZERO_RETURN) return 0;
                if (e == SSL_ERROR_WANT_READ) wait_for(fd_, POLLIN, deadline);
                else if (e == SSL_ERROR_WANT_WRITE) wait_for(fd_, POLLOUT, deadline);
                else {
                    ERR_clear_error();
                    return 0;  // an unclean close: the parser decides whether the answer was whole
                }
            } else {
                ssize_t n = ::recv(fd_, buf, size, 0);
                if (n >= 0) return static_cast<std::size_t>(n);
                if (errno == EAGAIN || errno == EINTR) wait_for(fd_, POLLIN, deadline);
                else return 0;
            }
        }
    }

private:
    int fd_;
    SSL* ssl_;
};

// Resolves, checks every address, connects to the first allowed one.
int connect_checked(const Url& u, bool check_addresses, Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    if (u.ipv6_literal) hints.ai_flags |= AI_NUMERICHOST;
    addrinfo* found = nullptr;
    if (int r = ::getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &found); r != 0)
        throw FetchError(u.host + ": " + gai_strerror(r));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
    std::string refused, failed;
    for (auto* a = list.get(); a; a = a->ai_next) {
        if (check_addresses && !is_public_address(a->ai_addr)) {
            refused = address_text(a->ai_addr);
            continue;
        }
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
        if (errno == EINPROGRESS) {
            try {
                wait_for(fd, POLLOUT, deadline);
            } catch (...) {
                ::close(fd);
                throw;
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == 0) return fd;
            failed = std::strerror(err);
        }
        ::close(fd);
    }
    if (!refused.empty() && failed.empty())
        throw FetchError("refused: " + u.host + " is a private or loopback address (" + refused + ")");
    throw FetchError(u.host + ": cannot connect" + (failed.empty() ? "" : ": " + failed));
}

// Where a redirect's Location points, against the URL that answered.
std::string resolve_location(const Url& base, const std::string& location) {
    if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
    if (location.rfind("//", 0) == 0) return base.scheme + ":" + location;
    const std::string origin = base.scheme + "://" + host_header(base);
    if (!location.empty() && location.front() == '/') return origin + location;
    auto dir = base.target.substr(0, base.target.find('?'));
    dir = dir.substr(0, dir.rfind('/') + 1);
    return origin + dir + location;
}

FetchResult fetch_once(const Url& u, const FetchPolicy& policy, bool check_addresses) {
    int fd = connect_checked(u, check_addresses, policy.deadline);
    SSL* ssl = nullptr;
    if (u.scheme == "https") {
        if (!policy.tls) {
            ::close(fd);
            throw FetchError("https is not available");
        }
        ssl = SSL_new(policy.tls);
        SSL_set_fd(ssl, fd);
        if (!u.ipv6_literal && u.host.find_first_not_of("0123456789.") != std::string::npos) {
            SSL_set_tlsext_host_name(ssl, u.host.c_str());
            SSL_set1_host(ssl, u.host.c_str());
        } else {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), u.host.c_str());
        }
    }
    Connection conn(fd, ssl);
    if (ssl) conn.handshake(policy.deadline);
    conn.write_all("GET " + u.target + " HTTP/1.1\r\nHost: " + host_header(u) + "\r\nUser-Agent: " +
                       policy.user_agent +
                       "\r\nAccept: application/json, image/*;q=0.9, */*;q=0.1\r\nAccept-Encoding: identity\r\n"
                       "Connection: close\r\n\r\n",
                   policy.deadline);

    http::response_parser<http::string_body> parser;
    parser.body_limit(policy.max_bytes);
    parser.header_limit(32 * 1024);
    parser.eager(true);
    std::string pending;
    char buf[16384];
    boost::system::error_code ec;
    while (!parser.is_done()) {
        std::size_t n = conn.read_some(buf, sizeof buf, policy.deadline);
        if (n == 0) {
            parser.put_eof(ec);
            if (ec) throw FetchError("the answer ended early");
            break;
        }
        pending.append(buf, n);
        while (!pending.empty() && !parser.is_done()) {
            std::size_t used = parser.put(boost::asio::buffer(pending), ec);
            pending.erase(0, used);
            if (ec == http::error::need_more) {
                ec = {};
                break;
            }
            if (ec == http::error::body_limit)
                throw FetchError("the answer is over " + std::to_string(policy.max_bytes) + " bytes");
            if (ec) throw FetchError("malformed answer: " + ec.message());
            if (used == 0) break;
        }
    }
    auto& res = parser.get();
    FetchResult out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    if (out.status >= 300 && out.status < 400) out.url = std::string(res[http::field::location]);
    else out.body = std::move(res.body());
    return out;
}

}  // namespace

std::string origin_of(const std::string& url) { return origin_text(parse_url(url)); }

FetchResult fetch(const std::string& url, const FetchPolicy& policy) {
    std::string current = url;
    for (int hop = 0;; ++hop) {
        const Url u = parse_url(current);
        bool trusted = false;
        for (const auto& o : policy.trusted_origins) trusted = trusted || o == origin_text(u);
        auto result = fetch_once(u, policy, !trusted && !policy.allow_private);
        const bool redirect = result.status == 301 || result.status == 302 || result.status == 303 ||
                              result.status == 307 || result.status == 308;
        if (!redirect) {
            result.url = current;
            return result;
        }
        if (result.url.empty()) throw FetchError("a redirect without a Location");
        if (hop >= policy.max_redirects) throw FetchError("too many redirects");
        current = resolve_location(u, result.url);
    }
}

SSL_CTX* make_verifying_client_context() {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return nullptr;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    return ctx;
}

}  // namespace liveblog::embed
