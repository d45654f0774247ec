#pragma once
// A shard is one I/O thread's share of the readers: its subscriber index and
// the only way in from another thread, post(). The transport binds post() to
// the thread's io_context; core code never sees Asio.
//
// Invariant: `index` is touched only from tasks run by post() (or from code
// already running on the shard's thread).

#include <functional>

#include "core/subscriber_index.hpp"

namespace liveblog {

class Shard {
public:
    using Task = std::function<void()>;
    Shard(std::size_t id, std::function<void(Task)> post) : id_(id), post_(std::move(post)) {}

    std::size_t id() const { return id_; }
    void post(Task task) const { post_(std::move(task)); }

    SubscriberIndex index;

private:
    std::size_t id_;
    std::function<void(Task)> post_;
};

}  // namespace liveblog
