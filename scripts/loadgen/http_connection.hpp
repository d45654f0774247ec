#pragma once
// An HTTP/1.1 client connection with keep-alive over a non-blocking socket,
// plain or TLS (the server's TlsChannel, client side; handshake in connect): one request in flight at a time, the response parsed as it arrives
// (Content-Length, chunked, or until close). The publisher drives several of
// them from one poll loop; http_request() is the blocking one-shot form.

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tls/tls_channel.hpp"

namespace liveblog::load {

class HttpConnection {
public:
    HttpConnection() = default;
    HttpConnection(HttpConnection&& other) noexcept;
    HttpConnection& operator=(HttpConnection&& other) noexcept;
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;
    ~HttpConnection() { close(); }

    // With `tls`, the TLS handshake too, within the same timeout.
    bool connect(const sockaddr_in& server, double timeout_s, std::string& error, bool tls = false);
    void close();
    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }

    // Writes all of `bytes` (waits at most timeout_s for socket space).
    bool send_all(std::string_view bytes, double timeout_s);

    enum class Read { incomplete, response, closed, error };
    // Reads what the socket has; `response` once a whole response is parsed,
    // `error` if the peer sent something that is not an HTTP response.
    Read read_available();
    // Blocks until a response, the end of the connection, or the timeout (error).
    Read read_response(double timeout_s);

    int status() const { return status_; }
    const std::string& body() const { return body_; }
    bool keep_alive() const { return keep_alive_; }
    // Forgets the parsed response; bytes that followed it stay buffered.
    void next();

private:
    bool parse();  // true when in_ holds a complete response
    bool send_raw(std::string_view bytes, std::int64_t deadline);
    bool flush_tls(std::int64_t deadline);

    int fd_ = -1;
    std::string in_;
    std::size_t consumed_ = 0;  // bytes of in_ that belong to the parsed response
    int status_ = 0;
    std::string body_;
    bool keep_alive_ = true;
    bool until_close_ = false;  // body delimited by the end of the connection
    bool eof_ = false;
    bool malformed_ = false;  // the bytes received are not an HTTP response
    std::unique_ptr<TlsChannel> tls_;
};

struct HttpResponse {
    int status = 0;
    std::string body;
    std::string error;  // transport failure: status is 0
};

// One request on a fresh connection.
HttpResponse http_request(const sockaddr_in& server, std::string_view request, double timeout_s);

}  // namespace liveblog::load
