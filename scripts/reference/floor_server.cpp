// Benchmark reference, not part of liveblog: the "floor" server. A
// single-threaded raw-epoll WebSocket broadcaster that writes one prebuilt
// frame to each reader socket, with nothing else on the path: what the kernel
// allows. Readers connect to any path with a WebSocket upgrade; `POST /pub`
// with a body broadcasts the body as one text frame to every reader. A reader
// whose socket cannot take the whole frame at once is dropped (counted).
//
// usage: liveblog-floor-reference PORT   (prints "floor listening on http://127.0.0.1:PORT")

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "websocket/handshake.hpp"
#include "websocket/wire.hpp"

namespace {

struct Conn {
    std::string in;       // request bytes until the head (and body) are complete
    bool reader = false;  // upgraded: only receives broadcasts
};

std::string header_value(const std::string& head, const char* name) {
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(tolower(c));
    std::string key = std::string("\r\n") + name + ":";
    auto pos = lower.find(key);
    if (pos == std::string::npos) return {};
    pos += key.size();
    auto end = head.find("\r\n", pos);
    std::string v = head.substr(pos, end - pos);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
}

void write_all_or_close(int fd, const std::string& bytes) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(bytes.size())) close(fd);
}

}  // namespace

int main(int argc, char** argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 4096) != 0) {
        perror("bind/listen");
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
    printf("floor listening on http://127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    signal(SIGPIPE, SIG_IGN);

    int ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    std::unordered_map<int, Conn> conns;
    std::vector<int> readers;
    unsigned long dropped = 0;
    std::vector<epoll_event> events(1024);
    char buf[65536];

    for (;;) {
        int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                for (;;) {
                    int c = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK);
                    if (c < 0) break;
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                    conns[c] = Conn{};
                }
                continue;
            }
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            auto it = conns.find(fd);
            if (r <= 0 || it == conns.end()) {
                // A closed reader leaves the broadcast list before its descriptor can be reused.
                if (it != conns.end() && it->second.reader) {
                    auto pos = std::find(readers.begin(), readers.end(), fd);
                    if (pos != readers.end()) {
                        *pos = readers.back();
                        readers.pop_back();
                    }
                }
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
                close(fd);
                conns.erase(fd);
                continue;
            }
            Conn& c = it->second;
            if (c.reader) continue;  // readers' frames (pongs, closes) are ignored
            c.in.append(buf, static_cast<std::size_t>(r));
            auto head_end = c.in.find("\r\n\r\n");
            if (head_end == std::string::npos) continue;
            std::string head = c.in.substr(0, head_end + 2);
            if (head.rfind("POST /pub", 0) == 0) {
                std::size_t length = std::strtoul(header_value(head, "content-length").c_str(), nullptr, 10);
                if (c.in.size() < head_end + 4 + length) continue;
                std::string frame;
                liveblog::ws::append_frame(frame, liveblog::ws::Opcode::text, std::string_view(c.in).substr(head_end + 4, length));
                c.in.clear();
                std::vector<int> alive;
                alive.reserve(readers.size());
                for (int rfd : readers) {
                    ssize_t w = send(rfd, frame.data(), frame.size(), MSG_NOSIGNAL);
                    if (w == static_cast<ssize_t>(frame.size())) {
                        alive.push_back(rfd);
                    } else {
                        ++dropped;
                        epoll_ctl(ep, EPOLL_CTL_DEL, rfd, nullptr);
                        close(rfd);
                        conns.erase(rfd);
                    }
                }
                readers.swap(alive);
                write_all_or_close(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            } else if (!header_value(head, "sec-websocket-key").empty()) {
                std::string res = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Accept: " + liveblog::ws::accept_key(header_value(head, "sec-websocket-key")) +
                                  "\r\n\r\n";
                write_all_or_close(fd, res);
                c.reader = true;
                std::string().swap(c.in);  // a reader keeps no buffer
                readers.push_back(fd);
            } else if (head.rfind("GET /stats", 0) == 0) {
                std::string body = "{\"readers\":" + std::to_string(readers.size()) + ",\"dropped\":" + std::to_string(dropped) + "}";
                write_all_or_close(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
                c.in.clear();
            } else {
                write_all_or_close(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                c.in.clear();
            }
        }
    }
}
