#include "common/work_queue.hpp"

#include <algorithm>

#include "common/log.hpp"

namespace liveblog {

WorkQueue::WorkQueue(std::string name, std::size_t threads, std::size_t max_queued)
    : name_(std::move(name)), max_queued_(max_queued) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i) threads_.emplace_back([this] { run(); });
}

WorkQueue::~WorkQueue() { stop(); }

WorkQueue::Posted WorkQueue::post(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return Posted::stopping;
        if (tasks_.size() >= max_queued_) return Posted::full;
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return Posted::queued;
}

std::size_t WorkQueue::queued() const {
    std::lock_guard lock(mutex_);
    return tasks_.size();
}

void WorkQueue::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
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
