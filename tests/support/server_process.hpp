#pragma once
// The real liveblog-server binary as a child process on an ephemeral port,
// for black-box tests. Each instance gets its own data directory (removed
// at the end unless kept for a restart) and a fixed test secret.

#include <string>
#include <vector>

namespace liveblog::test {

inline constexpr const char* test_secret = "integration-test-secret-0123456789";

class ServerProcess {
public:
    struct Options {
        std::vector<std::string> args;  // extra flags, e.g. {"--max-queue-bytes", "65536"}
        std::string data_dir;           // empty: a fresh temporary directory
        bool demo = false;
        unsigned long open_files_limit = 0;  // RLIMIT_NOFILE (soft and hard) of the server; 0: inherited
        std::string working_dir;        // the server's current directory; empty: inherited
    };

    ServerProcess() : ServerProcess(Options{}) {}
    // Extra flags: ServerProcess server({"--max-queue-bytes", "65536"});
    ServerProcess(std::initializer_list<std::string> args) : ServerProcess(Options{args, {}, false, 0, {}}) {}
    explicit ServerProcess(Options options);
    // SIGTERM, then SIGKILL after 10 s; a test check fails unless the server
    // exited 0 with no bug or sanitizer report in its log. Removes an owned data dir.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    unsigned short port() const { return port_; }
    const std::string& data_dir() const { return data_dir_; }

    void kill9();          // SIGKILL and reap
    void freeze();         // SIGSTOP: the process holds its sockets but runs nothing
    void thaw();           // SIGCONT
    void signal(int sig);  // e.g. SIGHUP (reload)
    int terminate();       // SIGTERM, wait, return the exit status
    void start();          // (re)start with the same options and data dir, new port
    bool running() const { return pid_ > 0; }
    std::string log() const;  // the server's stderr so far
    double cpu_seconds() const;  // user + system CPU time used so far (/proc/PID/stat)

private:
    Options options_;
    std::string data_dir_;
    bool owns_dir_ = false;
    int pid_ = -1;
    unsigned short port_ = 0;
    bool frozen_ = false;
};

// A fresh empty temporary directory.
std::string make_temp_dir();

}  // namespace liveblog::test
