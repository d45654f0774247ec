#include "support/tls_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace liveblog::test {

TlsClient::TlsClient(unsigned short port, std::shared_ptr<TlsContext> context)
    : channel_(std::make_unique<TlsChannel>(std::move(context), TlsChannel::Role::client)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("tls client: connect failed");
}

TlsClient::~TlsClient() {
    if (fd_ >= 0) ::close(fd_);
}

void TlsClient::write_raw(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void TlsClient::flush() {
    write_raw(channel_->output());
    channel_->consumed(channel_->output().size());
}

bool TlsClient::pump(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
        eof = true;
        return true;
    }
    const auto r = channel_->receive(std::string_view(buf, static_cast<std::size_t>(n)), received);
    if (r != TlsChannel::Result::ok) eof = true;
    flush();
    return true;
}

bool TlsClient::handshake(std::chrono::milliseconds timeout) {
    channel_->start_handshake();
    flush();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!channel_->handshake_done() && !eof) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !pump(left)) return false;
    }
    return channel_->handshake_done() && !channel_->failed();
}

void TlsClient::write(std::string_view plaintext) {
    if (!channel_->send(plaintext)) throw std::runtime_error("tls client: send before the handshake or after a failure");
    flush();
}

bool TlsClient::read_until(const std::function<bool(const std::string&)>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(received) && !eof) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !pump(left)) return false;
    }
    return true;
}

bool TlsClient::closed_by_server(std::chrono::milliseconds timeout) {
    return read_until([](const std::string&) { return false; }, timeout) && eof;
}

std::string https_request(unsigned short port, const std::string& request) {
    TlsClient c(port);
    if (!c.handshake()) throw std::runtime_error("https: handshake failed: " + c.channel().error());
    c.write(request);
    c.read_until([](const std::string&) { return false; }, 5s);
    return c.received;
}

HttpResult parse_http_answer(const std::string& answer) {
    HttpResult r;
    const auto head_end = answer.find("\r\n\r\n");
    if (answer.size() < 12 || head_end == std::string::npos) return r;
    r.status = std::stoi(answer.substr(9, 3));
    std::size_t line = answer.find("\r\n") + 2;
    while (line < head_end) {
        const auto end = answer.find("\r\n", line);
        const std::string field = answer.substr(line, end - line);
        const auto colon = field.find(':');
        if (colon != std::string::npos) {
            std::string value = field.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            r.headers.emplace_back(field.substr(0, colon), value);
        }
        line = end + 2;
    }
    r.body = answer.substr(head_end + 4);
    return r;
}

HttpResult https_exchange(unsigned short port, const std::string& method, const std::string& target,
                          const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
    for (auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT")
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "Connection: close\r\n\r\n" + body;
    return parse_http_answer(https_request(port, req));
}

}  // namespace liveblog::test
