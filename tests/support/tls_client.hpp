#pragma once
// A blocking TLS client for black-box tests of the TLS port: a POSIX socket
// with the server's own TlsChannel on the client side (a different
// implementation than the server's handshake path would be better still:
// the browser and Python tests bring those).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "support/ws_client.hpp"
#include "tls/tls_channel.hpp"

namespace liveblog::test {

using namespace std::chrono_literals;

class TlsClient {
public:
    // Connects to 127.0.0.1:port (no handshake yet).
    explicit TlsClient(unsigned short port, std::shared_ptr<TlsContext> context = TlsContext::insecure_client());
    ~TlsClient();
    TlsClient(const TlsClient&) = delete;
    TlsClient& operator=(const TlsClient&) = delete;

    // False when the handshake fails or the server ends the connection first.
    bool handshake(std::chrono::milliseconds timeout = 5s);
    void write(std::string_view plaintext);
    // Raw bytes on the socket, under TLS (attacks).
    void write_raw(std::string_view bytes);
    // Reads plaintext into `received` until done(received), the end of the
    // stream or the timeout; false only on timeout.
    bool read_until(const std::function<bool(const std::string&)>& done, std::chrono::milliseconds timeout = 5s);
    // True when the server ends the connection within the timeout.
    bool closed_by_server(std::chrono::milliseconds timeout = 5s);

    TlsChannel& channel() { return *channel_; }
    std::string received;
    bool eof = false;

private:
    bool pump(std::chrono::milliseconds timeout);  // one read; false on timeout
    void flush();
    int fd_ = -1;
    std::unique_ptr<TlsChannel> channel_;
};

// One HTTPS request (sent as given; add "Connection: close") and the whole answer.
std::string https_request(unsigned short port, const std::string& request);
// One HTTPS request built like http_request's (Host, Content-Length, Connection: close), parsed.
HttpResult https_exchange(unsigned short port, const std::string& method, const std::string& target,
                          const std::string& body = {},
                          const std::vector<std::pair<std::string, std::string>>& headers = {});
// The status line, headers and body of a whole HTTP/1.1 answer (Content-Length bodies).
HttpResult parse_http_answer(const std::string& answer);

}  // namespace liveblog::test
