#include "common/work_queue.hpp"

#include "common/log.hpp"

namespace liveblog {

WorkQueue::WorkQueue(std::string name) : name_(std::move(name)), thread_([this] { run(); }) {}

WorkQueue::~WorkQueue() { stop(); }

bool WorkQueue::post(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

void WorkQueue::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void WorkQueue::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
            if (tasks_.empty()) return;  // stopping and drained
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        try {
            task();
        } catch (const std::exception& e) {
            log_error(name_, ": task failed: ", e.what());
        }
    }
}

}  // namespace liveblog
