#include "support/sse_client.hpp"

#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace liveblog::test {

SseClient::SseClient(unsigned short port, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect failed");
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    for (auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
        throw std::runtime_error("send failed");
    while (buffer_.find("\r\n\r\n") == std::string::npos)
        if (!fill(std::chrono::seconds(5))) throw std::runtime_error("no response head");
    auto end = buffer_.find("\r\n\r\n");
    head_ = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    status_ = std::stoi(head_.substr(9, 3));
}

SseClient::~SseClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool SseClient::fill(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) throw std::runtime_error("stream ended");
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool SseClient::ends_within(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[65536];
        if (::recv(fd_, buf, sizeof buf, 0) <= 0) return true;
    }
}

SseEvent SseClient::next(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // One event: lines up to a blank line.
        auto end = buffer_.find("\n\n");
        while (end != std::string::npos) {
            std::string block = buffer_.substr(0, end);
            buffer_.erase(0, end + 2);
            SseEvent ev;
            bool has_data = false;
            std::size_t pos = 0;
            while (pos <= block.size()) {
                auto nl = block.find('\n', pos);
                std::string line = block.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
                if (line.rfind(":", 0) == 0) ++comments_;
                else if (line.rfind("id: ", 0) == 0) ev.id = line.substr(4);
                else if (line.rfind("retry: ", 0) == 0) retry_ = static_cast<unsigned>(std::stoul(line.substr(7)));
                else if (line.rfind("data: ", 0) == 0) {
                    ev.data += (has_data ? "\n" : "") + line.substr(6);
                    has_data = true;
                }
                if (nl == std::string::npos) break;
                pos = nl + 1;
            }
            if (has_data) return ev;
            end = buffer_.find("\n\n");
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !fill(left)) throw std::runtime_error("timeout waiting for an SSE event");
    }
}

SseEvent SseClient::next_of_type(const std::string& type, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("timeout waiting for SSE type " + type);
        SseEvent ev = next(left);
        if (ev.json().value("type", "") == type) return ev;
    }
}

}  // namespace liveblog::test
