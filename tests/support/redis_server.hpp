#pragma once
// A real redis-server as a child process, for tests of cluster mode: on
// 127.0.0.1 and a free port, with its own temporary directory, no RDB
// snapshots, and by default an AOF synced at every write (so kill9() then
// restart() loses nothing acknowledged, as in production).
//
// redis-server missing or not starting is an error (an exception naming the
// reason and the log), never a skipped test.
//
// The child gets SIGKILL if the thread that started it exits (PR_SET_PDEATHSIG),
// so a crashed test binary leaves no server behind: start it from a thread
// that lives as long as the server is needed (the main thread, in Catch2).

#include <string>

namespace liveblog::test {

class RedisServer {
public:
    struct Options {
        bool append_only = true;  // --appendonly yes --appendfsync always; else no persistence at all
    };

    RedisServer() : RedisServer(Options{}) {}
    explicit RedisServer(Options options);  // starts it; throws std::runtime_error if it cannot
    ~RedisServer();                          // stops it and removes its directory
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    unsigned short port() const { return port_; }
    std::string url() const;  // "redis://127.0.0.1:PORT"
    const std::string& dir() const { return dir_; }
    bool running() const { return pid_ > 0; }

    void kill9();    // SIGKILL and reap: a crash
    void stop();     // SIGTERM, wait (SIGKILL after 10 s)
    void restart();  // stop if running, then start on the same port and directory

private:
    // Starts redis-server on port_ and waits until it answers PING; false
    // if it exited first (the port was taken meanwhile). Throws otherwise.
    bool start_on_port();
    std::string log() const;

    Options options_;
    std::string dir_;
    unsigned short port_ = 0;
    int pid_ = -1;
};

}  // namespace liveblog::test
