#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/work_queue.hpp"

using liveblog::WorkQueue;

namespace {
// Holds tasks until opened, so a test decides when the queue drains.
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    void wait() {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return open; });
    }
    void release() {
        std::lock_guard lock(m);
        open = true;
        cv.notify_all();
    }
};
}  // namespace

TEST_CASE("work queue: one thread runs tasks in the order posted", "[work_queue]") {
    std::vector<int> order;
    {
        WorkQueue q("test", 1);
        for (int i = 0; i < 100; ++i) REQUIRE(q.post([&order, i] { order.push_back(i); }) == WorkQueue::Posted::queued);
        q.stop();
    }
    REQUIRE(order.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(order[i] == i);
}

TEST_CASE("work queue: past max_queued waiting tasks a post is refused, and accepted again once drained",
          "[work_queue]") {
    Gate gate;
    std::atomic<int> ran{0};
    WorkQueue q("test", 2, 3);
    std::atomic<int> started{0};
    // Two tasks occupy both threads; they are running, not queued.
    for (int i = 0; i < 2; ++i)
        REQUIRE(q.post([&] {
            ++started;
            gate.wait();
            ++ran;
        }) == WorkQueue::Posted::queued);
    while (started < 2) std::this_thread::yield();
    for (int i = 0; i < 3; ++i) REQUIRE(q.post([&] { ++ran; }) == WorkQueue::Posted::queued);
    CHECK(q.queued() == 3);
    CHECK(q.post([&] { ++ran; }) == WorkQueue::Posted::full);
    gate.release();
    while (q.queued() > 0) std::this_thread::yield();
    CHECK(q.post([&] { ++ran; }) == WorkQueue::Posted::queued);
    q.stop();
    CHECK(ran == 6);  // the refused task never ran
    CHECK(q.post([] {}) == WorkQueue::Posted::stopping);
}

TEST_CASE("work queue: several threads run tasks side by side", "[work_queue]") {
    Gate gate;
    std::mutex m;
    std::set<std::thread::id> threads;
    std::atomic<int> waiting{0};
    WorkQueue q("test", 3);
    for (int i = 0; i < 3; ++i)
        q.post([&] {
            {
                std::lock_guard lock(m);
                threads.insert(std::this_thread::get_id());
            }
            ++waiting;
            gate.wait();
        });
    // All three block at once: only possible on three threads.
    while (waiting < 3) std::this_thread::yield();
    gate.release();
    q.stop();
    CHECK(threads.size() == 3);
}
