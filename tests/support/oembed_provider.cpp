#include "support/oembed_provider.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace liveblog::test {

namespace {

void send_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

std::string response(int status, const std::string& type, const std::string& body, const std::string& extra = {}) {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(LIVEBLOG_SOURCE_DIR) + "/tests/fixtures/images/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

OembedProvider::OembedProvider() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0)
        throw std::runtime_error("oembed provider: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (::pipe(stop_pipe_) != 0) throw std::runtime_error("oembed provider: pipe");
    thread_ = std::thread([this] { serve(); });
}

OembedProvider::~OembedProvider() {
    stopping_ = true;
    (void)!::write(stop_pipe_[1], "x", 1);
    thread_.join();
    for (auto& w : workers_) w.join();
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
}

std::string OembedProvider::origin(const std::string& host) const {
    return "http://" + host + ":" + std::to_string(port_);
}

void OembedProvider::serve() {
    while (!stopping_) {
        pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(p, 2, -1) <= 0) continue;
        if (p[1].revents) return;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        workers_.emplace_back([this, fd] {
            answer(fd);
            ::close(fd);
        });
    }
}

void OembedProvider::answer(int fd) {
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        request.append(buf, static_cast<std::size_t>(n));
    }
    ++requests_;
    const auto line_end = request.find(' ', 4);
    const std::string target = request.substr(4, line_end - 4);
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/oembed") {
        nlohmann::json answer{
            {"version", "1.0"},
            {"type", "rich"},
            {"provider_name", "Testsocial"},
            {"author_name", "Jane Reporter"},
            {"author_url", "https://social.example/jane"},
            {"html",
             "<blockquote class=\"post\"><p>Hello from the test &amp; the flood<br>second line"
             "<script>alert(1)</script></p>&mdash; Jane <a href=\"https://social.example/p/1\">December 7, 2026</a>"
             "</blockquote><script async src=\"https://social.example/widgets.js\"></script>"},
            {"thumbnail_url", origin() + "/thumb"},
        };
        send_all(fd, response(200, "application/json", answer.dump()));
    } else if (path == "/thumb") {
        send_all(fd, response(200, "image/webp", fixture("photo.webp")));
    } else if (path == "/slow") {
        // Holds the connection until the test ends or 30 s pass.
        for (int i = 0; i < 300 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } else if (path == "/huge") {
        std::string text(2 << 20, 'a');
        send_all(fd, response(200, "application/json", nlohmann::json{{"title", text}}.dump()));
    } else if (path == "/redirect") {
        send_all(fd, response(302, "text/plain", "", "Location: " + origin() + "/oembed?from=redirect\r\n"));
    } else {
        send_all(fd, response(404, "text/plain", "no"));
    }
}

}  // namespace liveblog::test
