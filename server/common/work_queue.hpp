#pragma once
// One thread running tasks in order; the home of blocking work (store reads)
// that must never run on an I/O thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace liveblog {

class WorkQueue {
public:
    explicit WorkQueue(std::string name);
    ~WorkQueue();
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    // Returns false (and drops the task) once stop() has begun.
    bool post(std::function<void()> task);
    // Runs what is queued, then joins. Idempotent.
    void stop();

private:
    void run();
    std::string name_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace liveblog
