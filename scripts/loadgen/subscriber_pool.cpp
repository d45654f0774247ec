#include "subscriber_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "clock.hpp"
#include "subscriber_process.hpp"

namespace liveblog::load {

bool SubscriberPool::start(const LoadOptions& options, const std::vector<std::string>& stories, std::string& error) {
    const std::uint32_t n = options.processes();
    const std::uint32_t concurrency = std::max<std::uint32_t>(1, (options.connect_concurrency + n - 1) / n);
    const pid_t parent = getpid();
    for (std::uint32_t k = 0; k < n; ++k) {
        int control[2], report[2];
        if (pipe2(control, O_CLOEXEC) != 0 || pipe2(report, O_CLOEXEC) != 0) {
            error = std::string("pipe: ") + std::strerror(errno);
            return false;
        }
        std::fflush(stdout);
        std::fflush(stderr);
        const pid_t pid = fork();
        if (pid < 0) {
            error = std::string("fork: ") + std::strerror(errno);
            ::close(control[0]); ::close(control[1]); ::close(report[0]); ::close(report[1]);
            return false;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the parent
            if (getppid() != parent) _exit(1);
            ::close(control[1]);
            ::close(report[0]);
            for (const Child& c : children_) {  // the other processes' pipes are not ours
                ::close(c.control_fd);
                ::close(c.report_fd);
            }
            SubscriberProcess::Share share;
            share.child = k;
            share.first_reader = k * options.per_process;
            share.count = std::min(options.per_process, options.readers - share.first_reader);
            share.concurrency = concurrency;
            int status = 1;
            {
                SubscriberProcess process(options, stories, share, control[0], report[1]);
                status = process.run();
            }
            std::fflush(stderr);
            _exit(status);
        }
        ::close(control[0]);
        ::close(report[1]);
        fcntl(report[0], F_SETFL, fcntl(report[0], F_GETFL) | O_NONBLOCK);
        Child c;
        c.pid = pid;
        c.control_fd = control[1];
        c.report_fd = report[0];
        children_.push_back(std::move(c));
    }
    return true;
}

bool SubscriberPool::command(std::string_view line) {
    const std::string msg = std::string(line) + "\n";
    bool ok = true;
    for (Child& c : children_) {
        if (c.control_fd < 0) continue;
        if (::write(c.control_fd, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) ok = false;
    }
    return ok;
}

std::vector<ChildReport> SubscriberPool::collect(std::string_view kind, double timeout_s, std::string& error) {
    std::vector<std::optional<ChildReport>> got(children_.size());
    std::size_t missing = children_.size();
    const std::int64_t deadline = mono_ns() + seconds_to_ns(timeout_s);
    char buf[65536];
    while (missing > 0) {
        const std::int64_t left_ms = (deadline - mono_ns()) / 1'000'000;
        if (left_ms <= 0) {
            error = "timed out waiting for \"" + std::string(kind) + "\" from " + std::to_string(missing) + " subscriber process(es)";
            return {};
        }
        std::vector<pollfd> fds;
        std::vector<std::size_t> who;
        for (std::size_t i = 0; i < children_.size(); ++i) {
            if (got[i] || children_[i].exited) continue;
            fds.push_back({children_[i].report_fd, POLLIN, 0});
            who.push_back(i);
        }
        if (fds.empty()) break;
        ::poll(fds.data(), fds.size(), static_cast<int>(std::min<std::int64_t>(left_ms, 1000)));
        for (std::size_t f = 0; f < fds.size(); ++f) {
            if (!fds[f].revents) continue;
            Child& c = children_[who[f]];
            for (int round = 0; round < 1024; ++round) {
                const ssize_t n = ::read(c.report_fd, buf, sizeof buf);
                if (n > 0) {
                    c.buffer.append(buf, static_cast<std::size_t>(n));
                    continue;
                }
                if (n == 0) c.exited = true;
                break;
            }
            for (std::size_t nl = c.buffer.find('\n'); nl != std::string::npos && !got[who[f]]; nl = c.buffer.find('\n')) {
                const std::string line = c.buffer.substr(0, nl);
                c.buffer.erase(0, nl + 1);
                std::string why;
                auto report = decode_report(line, why);
                if (!report) {
                    error = "bad report from subscriber process " + std::to_string(who[f]) + ": " + why;
                    return {};
                }
                if (report->kind == kind) {
                    got[who[f]] = std::move(report);
                    --missing;
                }
            }
            if (c.exited && !got[who[f]]) {
                error = "subscriber process " + std::to_string(who[f]) + " ended without its \"" + std::string(kind) + "\" report";
                return {};
            }
        }
    }
    std::vector<ChildReport> out;
    for (auto& r : got) {
        if (!r) {
            error = "missing report";
            return {};
        }
        out.push_back(std::move(*r));
    }
    return out;
}

void SubscriberPool::stop(double grace_s) {
    for (Child& c : children_) {
        if (c.control_fd >= 0) ::close(c.control_fd);
        c.control_fd = -1;
    }
    const std::int64_t deadline = mono_ns() + seconds_to_ns(grace_s);
    for (;;) {
        bool running = false;
        for (Child& c : children_) {
            if (c.pid <= 0) continue;
            const pid_t r = waitpid(c.pid, nullptr, WNOHANG);
            if (r == c.pid || (r < 0 && errno == ECHILD)) c.pid = -1;
            else running = true;
        }
        if (!running) break;
        if (mono_ns() >= deadline) {
            for (Child& c : children_) {
                if (c.pid <= 0) continue;
                kill(c.pid, SIGKILL);  // our own child, by pid
                waitpid(c.pid, nullptr, 0);
                c.pid = -1;
            }
            break;
        }
        ::poll(nullptr, 0, 20);
    }
    for (Child& c : children_) {
        if (c.report_fd >= 0) ::close(c.report_fd);
        c.report_fd = -1;
    }
    children_.clear();
}

}  // namespace liveblog::load
