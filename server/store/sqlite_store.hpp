#pragma once
// SqliteStore: the Store contract (store/store.hpp) in one SQLite file, the
// default single-node store.
//
// Durability: WAL with synchronous=FULL, so a write() that returned survives
// kill -9 and power loss. write() uses a connection of its own (one writer at
// a time, BEGIN IMMEDIATE ... COMMIT); read methods borrow one of a pool of
// read connections (as many as the threads that read concurrently), so
// reads run side by side. In WAL mode readers never block the writer and each
// read transaction sees one committed state.
//
// The schema is versioned with PRAGMA user_version; opening a file written by
// a newer build fails rather than guess at its layout.
//
// Checkpoints (copying the WAL back into the database file, and syncing it)
// run on a thread of their own, once a second, never inside write(): inside a
// commit they would stall editors' acks, and the fan-out behind them, for
// tens of milliseconds every thousand pages.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"

struct sqlite3;

namespace liveblog {

class SqliteStore : public Store {
public:
    // The schema version this build writes and understands.
    static constexpr int schema_version = 4;

    // Opens (creating the file and its parent directory if missing) and
    // migrates the database. Throws StoreFailure if it cannot.
    explicit SqliteStore(const std::string& path, std::size_t read_connections = 2);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    void write(const std::function<void(StoreTxn&)>& fn) override;

    std::vector<Story> stories() override;
    std::optional<Story> story(const std::string& id) override;
    EntryPage entries(const std::string& story, Seq before, std::size_t limit) override;
    std::optional<StorySnapshot> snapshot(const std::string& story, std::size_t limit,
                                          std::size_t pinned_limit) override;
    std::vector<Entry> changed_since(const std::string& story, Seq since, std::size_t limit) override;
    std::optional<Record> record(const std::string& collection, const std::string& key) override;
    std::vector<Record> records(const RecordQuery& query) override;
    bool healthy() override;

    // Test hook: the next write runs fn, then rolls back and throws
    // StoreFailure, as if COMMIT had failed.
    void fail_next_write() { fail_next_write_ = true; }

private:
    struct Connection;  // a sqlite3 handle and its cached statements
    class Txn;

    std::unique_ptr<Connection> writer_;
    std::mutex write_mutex_;  // write() is single-threaded by contract; this makes it so
    // A read connection for the caller alone until the lease ends; waits
    // when every one is lent.
    class ReaderLease;
    ReaderLease borrow_reader();
    std::vector<std::unique_ptr<Connection>> readers_;
    std::vector<Connection*> idle_readers_;  // guarded by read_mutex_
    std::mutex read_mutex_;
    std::condition_variable reader_returned_;
    std::atomic<bool> fail_next_write_{false};

    void checkpoint_loop();
    std::unique_ptr<Connection> checkpointer_;  // used only by checkpoint_thread_
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_cv_;
    bool stopping_ = false;
    std::thread checkpoint_thread_;
};

}  // namespace liveblog
