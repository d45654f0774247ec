#pragma once
// The storage thread: the single writer of the store.
//
// Commands queue up from any thread; the thread takes everything waiting (up
// to max_batch) and applies it in one transaction, so one fsync serves many
// editors. Only after the commit does it call on_committed (publish) and each
// command's `done` (the ack): an ack never precedes durability.
// If the commit fails, every command of the batch fails with
// store_unavailable and nothing of it is visible.
// Order: commands are applied in submission order; seqs follow that order.
//
// Besides commands, the writer runs jobs: any other write (an account, a
// session, a draft...) as a function of the transaction, batched with the
// commands in submission order. A job returns its outcome as a
// CommandResult; an event in it is published like a command's. A job may
// run more than once (a shared store retries a transaction that lost a
// race): it must start from nothing each time, and only the last run counts.
// It throws only what the store throws.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <variant>

#include "core/command.hpp"
#include "store/store.hpp"

namespace liveblog {

class StorageWriter {
public:
    using Done = std::function<void(const CommandResult&)>;
    using Job = std::function<CommandResult(StoreTxn&, Millis now)>;
    using Committed = std::function<void(const CommandResult&)>;
    // After each batch: its size, the commit's duration, whether it committed,
    // and for each command (not job) the time from submit() to its ack (seconds).
    struct BatchReport {
        std::size_t commands = 0;
        double commit_seconds = 0;
        bool ok = true;
        std::vector<double> ack_seconds;
    };
    using Observer = std::function<void(const BatchReport&)>;

    StorageWriter(Store& store, Committed on_committed, std::size_t max_batch = 256, Observer observer = {});
    ~StorageWriter();

    // Called from any thread. After stop(), `done` gets shutting_down at once.
    void submit(Command command, Done done);
    void submit_job(Job job, Done done);
    // Commits what is queued, then joins. Idempotent.
    void stop();

    std::uint64_t batches() const { return batches_; }
    // False from a failed commit until the next one succeeds.
    bool last_commit_ok() const { return last_commit_ok_; }

private:
    struct Pending {
        std::variant<Command, Job> work;
        Done done;
        std::chrono::steady_clock::time_point submitted;
    };
    void enqueue(std::variant<Command, Job> work, Done done);
    void run();
    void commit(std::vector<Pending>& batch);
    void probe();

    Store& store_;
    Committed on_committed_;
    std::size_t max_batch_;
    Observer observer_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> batches_{0};
    std::atomic<bool> last_commit_ok_{true};
    std::thread thread_;
};

}  // namespace liveblog
