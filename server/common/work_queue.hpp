#pragma once
// Threads running queued tasks; the home of blocking work (store reads)
// that must never run on an I/O thread. With one thread, tasks run in the
// order posted; with several, side by side (each store read borrows its
// own connection). The queue is bounded: past `max_queued` waiting tasks a
// post is refused, so a flood of reads gets a fast "overloaded" answer
// instead of growing memory and latency for everyone.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/error_code.hpp"
#include "common/log.hpp"

namespace liveblog {

class WorkQueue {
public:
    enum class Posted { queued, full, stopping };

    explicit WorkQueue(std::string name, std::size_t threads = 1,
                       std::size_t max_queued = static_cast<std::size_t>(-1));
    ~WorkQueue();
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    // Drops the task (and says why) when the queue is full or stop() has begun.
    Posted post(std::function<void()> task);
    std::size_t queued() const;
    // Runs what is queued, then joins. Idempotent.
    void stop();

private:
    void run();
    std::string name_;
    std::size_t max_queued_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

// Runs `work` on `queue`; `done` gets, on the worker, what it returned or the
// Error it threw (any other exception is logged under `what` and becomes
// `internal`), or at once `overloaded` (retry after 2 s, `busy` as the
// message) or `shutting_down` when the queue refuses the task.
template <class T>
void post_with_reply(WorkQueue& queue, std::function<T()> work, std::function<void(std::variant<T, Error>)> done,
                     const char* what, const char* busy) {
    auto shared_done = std::make_shared<std::function<void(std::variant<T, Error>)>>(std::move(done));
    auto posted = queue.post([work = std::move(work), shared_done, what] {
        try {
            (*shared_done)(work());
        } catch (const Error& e) {
            (*shared_done)(e);
        } catch (const std::exception& e) {
            log_error(what, ": ", e.what());
            (*shared_done)(Error{ErrorCode::internal, std::string(what) + " failed"});
        }
    });
    if (posted == WorkQueue::Posted::full) (*shared_done)(Error{ErrorCode::overloaded, busy, 2});
    else if (posted == WorkQueue::Posted::stopping)
        (*shared_done)(Error{ErrorCode::shutting_down, "the server is shutting down"});
}

}  // namespace liveblog
