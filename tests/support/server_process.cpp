#include "support/server_process.hpp"

#include <catch2/catch.hpp>

#include "support/child_process.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace liveblog::test {

std::string make_temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "liveblog-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

ServerProcess::ServerProcess(Options options) : options_(std::move(options)) {
    data_dir_ = options_.data_dir;
    if (data_dir_.empty()) {
        data_dir_ = make_temp_dir();
        owns_dir_ = true;
    }
    start();
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        // Every test's server must stop cleanly, whatever the test did to it:
        // SIGTERM ends it with status 0, and its log has no bug or sanitizer
        // report. (Skipped while an exception unwinds: the test failed already.)
        if (frozen_) thaw();
        const int status = terminate();
        if (std::uncaught_exceptions() == 0) {
            const std::string text = log();
            const bool reported = text.find("bug:") != std::string::npos ||
                                  text.find("Sanitizer") != std::string::npos ||
                                  text.find("runtime error:") != std::string::npos;
            if (status != 0 || reported) {
                const std::size_t tail = 4000;
                FAIL_CHECK("liveblog-server did not stop cleanly: exit status "
                           << status << "; the end of its log:\n"
                           << (text.size() > tail ? text.substr(text.size() - tail) : text));
            }
        }
    }
    if (owns_dir_) {
        std::error_code ec;
        std::filesystem::remove_all(data_dir_, ec);
    }
}

void ServerProcess::start() {
    if (pid_ > 0) throw std::logic_error("server already running");
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv = {LIVEBLOG_SERVER_BINARY, "--listen", "127.0.0.1:0", "--data-dir", data_dir_,
                                     "--threads", "2", "--log-level", "info"};
    if (!options_.demo) argv.push_back("--no-demo");
    argv.insert(argv.end(), options_.args.begin(), options_.args.end());
    std::string log_path = data_dir_ + "/server.log";

    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(out[1], 1);
        int err = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (err >= 0) dup2(err, 2);
        close(out[0]);
        close(out[1]);
        setenv("LIVEBLOG_SECRET", test_secret, 1);
        if (!options_.working_dir.empty() && chdir(options_.working_dir.c_str()) != 0) _exit(126);
        if (options_.open_files_limit) {
            rlimit limit{options_.open_files_limit, options_.open_files_limit};
            setrlimit(RLIMIT_NOFILE, &limit);
        }
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        execv(cargv[0], cargv.data());
        _exit(127);
    }
    close(out[1]);
    pid_ = pid;

    // Wait for "liveblog listening on http://127.0.0.1:PORT" (https:// with TLS).
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (port_ == 0 || line.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{out[0], POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[256];
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
        auto pos = line.find("://127.0.0.1:");
        if (pos != std::string::npos && line.find('\n', pos) != std::string::npos)
            port_ = static_cast<unsigned short>(std::stoi(line.substr(pos + 13)));
        if (port_) break;
    }
    close(out[0]);  // the server writes nothing else to stdout
    if (port_ == 0) {
        kill9();
        throw std::runtime_error("liveblog-server did not start; its log:\n" + log());
    }
}

void ServerProcess::freeze() {
    if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) frozen_ = true;
}

void ServerProcess::signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

void ServerProcess::thaw() {
    if (pid_ > 0 && ::kill(pid_, SIGCONT) == 0) frozen_ = false;
}

void ServerProcess::kill9() {
    if (pid_ <= 0) return;
    kill_and_reap(pid_);
    pid_ = -1;
    port_ = 0;
    frozen_ = false;
}

int ServerProcess::terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    if (!reaped(pid_, std::chrono::seconds(10), &status)) {
        kill9();
        return -1;
    }
    pid_ = -1;
    port_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServerProcess::log() const {
    std::ifstream in(data_dir_ + "/server.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

double ServerProcess::cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces), from field 3 on;
    // utime and stime are fields 14 and 15, in clock ticks.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace liveblog::test
