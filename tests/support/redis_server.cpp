#include "support/redis_server.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "redis/redis_client.hpp"
#include "support/child_process.hpp"

namespace liveblog::test {

namespace {

using namespace std::chrono_literals;

constexpr int kPortAttempts = 5;
constexpr auto kStartTimeout = 10s;
constexpr auto kStopTimeout = 10s;
constexpr int kCannotExec = 127;  // the child's exit status when execvp failed

std::string make_private_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "liveblog-redis-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("redis-server: mkdtemp failed");
    return tmpl;
}

// A port that was free a moment ago: redis cannot listen on port 0 and tell
// us which port it got, so bind one ourselves, note it and let it go. Someone
// may take it before redis does; the caller retries with another.
unsigned short free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("redis-server: socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    close(fd);
    if (!ok) throw std::runtime_error("redis-server: cannot find a free port");
    return ntohs(addr.sin_port);
}

// PONG: up, and done loading its AOF (which answers -LOADING meanwhile).
bool answers_ping(unsigned short port) {
    redis::Endpoint endpoint;
    endpoint.port = port;
    redis::Connection connection(endpoint, 500ms);
    try {
        redis::Value reply = connection.command({"PING"});
        return reply.type == redis::Value::Type::status && reply.str == "PONG";
    } catch (const redis::RedisError&) {
        return false;
    }
}

}  // namespace

RedisServer::RedisServer(Options options) : options_(options), dir_(make_private_dir()) {
    try {
        for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
            port_ = free_port();
            if (start_on_port()) return;
        }
        throw std::runtime_error("redis-server did not start on a free port in " + std::to_string(kPortAttempts) +
                                 " attempts; its log:\n" + log());
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        throw;
    }
}

RedisServer::~RedisServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

bool RedisServer::start_on_port() {
    std::vector<std::string> argv = {"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                     "--dir", dir_, "--save", "", "--daemonize", "no"};
    if (options_.append_only) {
        for (const char* arg : {"--appendonly", "yes", "--appendfsync", "always"}) argv.emplace_back(arg);
    } else {
        for (const char* arg : {"--appendonly", "no"}) argv.emplace_back(arg);
    }
    std::string log_path = dir_ + "/redis.log";
    pid_t parent = getpid();

    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("redis-server: fork failed");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);  // the parent died before prctl
        int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (log_fd >= 0) {
            dup2(log_fd, 1);
            dup2(log_fd, 2);
        }
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        execvp(cargv[0], cargv.data());
        _exit(kCannotExec);
    }
    pid_ = pid;

    auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            if (WIFEXITED(status) && WEXITSTATUS(status) == kCannotExec)
                throw std::runtime_error(
                    "cannot run redis-server: is it installed and on PATH? (apt install redis-server)");
            return false;  // most likely the port was taken meanwhile
        }
        if (answers_ping(port_)) return true;
        std::this_thread::sleep_for(20ms);
    }
    kill9();
    throw std::runtime_error("redis-server did not answer PING on port " + std::to_string(port_) + " within " +
                             std::to_string(kStartTimeout.count()) + " s; its log:\n" + log());
}

void RedisServer::kill9() {
    if (pid_ <= 0) return;
    kill_and_reap(pid_);
    pid_ = -1;
}

void RedisServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    if (reaped(pid_, kStopTimeout, &status)) {
        pid_ = -1;
        return;
    }
    kill9();
}

void RedisServer::restart() {
    stop();
    // The same port, so clients reconnect to it; it is ours until someone
    // else binds it, which a few retries ride out.
    for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
        if (start_on_port()) return;
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_) + "; its log:\n" + log());
}

std::string RedisServer::log() const {
    std::ifstream in(dir_ + "/redis.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace liveblog::test
