#include "store/storage_writer.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "core/command_rules.hpp"

namespace liveblog {

StorageWriter::StorageWriter(Store& store, Committed on_committed, std::size_t max_batch, Observer observer)
    : store_(store),
      on_committed_(std::move(on_committed)),
      max_batch_(max_batch),
      observer_(std::move(observer)),
      thread_([this] { run(); }) {}

StorageWriter::~StorageWriter() { stop(); }

void StorageWriter::submit(Command command, Done done) { enqueue(std::move(command), std::move(done)); }
void StorageWriter::submit_job(Job job, Done done) { enqueue(std::move(job), std::move(done)); }

void StorageWriter::enqueue(std::variant<Command, Job> work, Done done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back({std::move(work), std::move(done), std::chrono::steady_clock::now()});
            cv_.notify_one();
            return;
        }
    }
    done(CommandResult::failure(ErrorCode::shutting_down, "the server is shutting down"));
}

void StorageWriter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void StorageWriter::run() {
    std::vector<Pending> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            // After a failed commit, an idle writer probes the store every 2 s
            // with an empty transaction, so readiness comes back without
            // waiting for an editor's write (which a draining load balancer
            // would never send).
            while (!stopping_ && queue_.empty()) {
                if (last_commit_ok_) {
                    cv_.wait(lock);
                } else if (!cv_.wait_for(lock, std::chrono::seconds(2), [&] { return stopping_ || !queue_.empty(); })) {
                    lock.unlock();
                    probe();
                    lock.lock();
                }
            }
            if (queue_.empty()) return;  // stopping, and every queued write is committed
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        commit(batch);
        batch.clear();
    }
}

void StorageWriter::probe() {
    try {
        store_.write([](StoreTxn&) {});
        last_commit_ok_ = true;
        log_info("store: writable again");
    } catch (const std::exception&) {
        // still failing: stay not-ready
    }
}

void StorageWriter::commit(std::vector<Pending>& batch) {
    std::vector<CommandResult> results;
    Millis now = now_millis();
    BatchReport report;
    report.commands = batch.size();
    auto started = std::chrono::steady_clock::now();
    try {
        store_.write([&](StoreTxn& txn) {
            results.clear();  // a store may retry fn; results describe the attempt that committed
            for (auto& p : batch) {
                if (auto* command = std::get_if<Command>(&p.work)) {
                    results.push_back(apply_command(txn, *command, now));
                    continue;
                }
                CommandResult r = std::get<Job>(p.work)(txn, now);
                // As apply_command: the event belongs to the transaction of its state.
                if (r.ok() && r.event) txn.append_event(*r.event);
                results.push_back(std::move(r));
            }
        });
        ++batches_;
        last_commit_ok_ = true;
    } catch (const std::exception& e) {
        log_error("store: commit of ", batch.size(), " command(s) failed: ", e.what());
        report.ok = false;
        last_commit_ok_ = false;
        results.assign(batch.size(),
                       CommandResult::failure(ErrorCode::store_unavailable, "the store could not commit; retry later"));
    }
    auto committed = std::chrono::steady_clock::now();
    report.commit_seconds = std::chrono::duration<double>(committed - started).count();
    // Acks are the editors' commands' (jobs, such as an audit record, have none to measure).
    for (const auto& p : batch)
        if (std::holds_alternative<Command>(p.work))
            report.ack_seconds.push_back(std::chrono::duration<double>(committed - p.submitted).count());
    // Observed before anyone hears of the commit: whoever has an ack (or an
    // event) finds it counted in /metrics.
    if (observer_) observer_(report);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (results[i].ok()) on_committed_(results[i]);
        batch[i].done(results[i]);
    }
}

}  // namespace liveblog
