#pragma once
// The parent's side of the subscriber processes: forks them (readers split in
// shares of --per-process, the connect concurrency split evenly), sends them
// commands and collects their reports. Only processes started here are ever
// signalled, by their pid.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "child_report.hpp"
#include "load_options.hpp"

namespace liveblog::load {

class SubscriberPool {
public:
    SubscriberPool() = default;
    SubscriberPool(const SubscriberPool&) = delete;
    SubscriberPool& operator=(const SubscriberPool&) = delete;
    ~SubscriberPool() { stop(2); }

    // Forks the processes; each starts connecting its readers at once.
    bool start(const LoadOptions& options, const std::vector<std::string>& stories, std::string& error);
    std::size_t size() const { return children_.size(); }

    // Sends one command line (without the newline) to every process.
    bool command(std::string_view line);
    // One report of `kind` from every process, in child order, within
    // timeout_s. Empty with `error` set if one is missing.
    std::vector<ChildReport> collect(std::string_view kind, double timeout_s, std::string& error);
    // Closes the control pipes (the processes exit), waits up to grace_s,
    // then kills the ones still running.
    void stop(double grace_s);

private:
    struct Child {
        pid_t pid = -1;
        int control_fd = -1;  // parent writes
        int report_fd = -1;   // parent reads
        std::string buffer;
        bool exited = false;
    };
    std::vector<Child> children_;
};

}  // namespace liveblog::load
