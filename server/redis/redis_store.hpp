#pragma once
// RedisStore: the Store contract (store/store.hpp) in Redis, shared by every
// node of a cluster. Values are the storage JSON of redis/redis_codec.
//
// Keys (P = key prefix; a story id never contains ':'):
//   P"stories"              SET     ids of every story
//   P"s:{id}"               STRING  the story
//   P"s:{id}:entries"       HASH    entry id -> entry (tombstones included)
//   P"s:{id}:live"          ZSET    created_seq -> id, entries not deleted
//   P"s:{id}:pinned"        ZSET    created_seq -> id, pinned and not deleted
//   P"s:{id}:modified"      ZSET    modified_seq -> id, every entry
//   P"s:{id}:created"       ZSET    created_seq -> id, every entry (keeps created_seq unique)
//   P"s:{id}:idem:{key}"    STRING  entry id made with this idempotency key; expires
//   P"r:{c}"                HASH    record key -> body, for collection c (store.hpp "Record")
//   P"r:{c}:grp"            HASH    record key -> its group
//   P"r:{c}:g:{group}"      ZSET    keys of the group's records, all at score 0 (lexical order)
//   P"s:{id}:events"        STREAM  one item per event, ID "<seq>-0", field "e" = event;
//                                   trimmed to about stream_retention items
// Channels, published by every commit, in this order:
//   P"events:{id}"  each event of the commit (event JSON), in seq order
//   P"stories"      each story the commit saved (story JSON)
// The indexes are written only by the commit script, together with the
// values they index, so they always agree with them.
//
// Writes are optimistic, since other nodes write the same stories: the
// transaction reads through to Redis, remembering what it saw (each story's
// seq, each entry's version, each idempotency key's entry, or their absence),
// and buffers its saves (its own loads see them first). The commit is one Lua
// script that checks nothing it read has changed, checks the constraints
// (entries and events belong to an existing story; created_seq and
// idempotency key unique per story), and only then writes everything and
// publishes. A changed read means another node committed first: fn runs again
// on the new state (after a short random pause), up to max_write_attempts
// times. Scripts build key names from the prefix instead of declaring them,
// which plain Redis allows and Redis Cluster does not: RedisStore needs one
// Redis (or a primary with replicas), not a cluster.
//
// Failures: any Redis error inside write() is StoreFailure, and then nothing
// of fn is visible - except when the connection fails during the commit call
// itself, when the outcome is unknown. The caller answers "retryable"
// either way; idempotency keys make retrying a post safe (within
// idempotency_ttl_s). Durability is Redis's: run it with appendonly yes and
// appendfsync always for "acknowledged means durable"; a script's writes
// reach the AOF as one MULTI/EXEC block, so a crash never half-applies one.
//
// Differences from the single-node stores: an idempotency key is remembered
// for idempotency_ttl_s (then a retry creates a new entry), and constraint
// violations fail the write at commit rather than at the save.
//
// Threading: write() is meant for one thread (the storage thread) and has
// its own connection; the read methods share a second one under a mutex.
// Neither connects in the constructor: a Redis that is down (or comes back)
// shows in healthy() and in the next call, not at startup.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "redis/redis_client.hpp"
#include "store/record_table.hpp"
#include "store/store.hpp"

namespace liveblog {

class RedisStore : public Store {
public:
    struct Options {
        std::chrono::milliseconds timeout{2000};     // per Redis call
        std::size_t stream_retention = 10000;        // events kept per story (XADD MAXLEN ~), >= 1
        std::uint64_t idempotency_ttl_s = 86400;     // how long a key is remembered after its post, >= 1
    };
    // Times fn may run in one write() before it gives up with "write conflict".
    static constexpr int max_write_attempts = 20;

    // Throws std::invalid_argument for options out of range.
    RedisStore(redis::Endpoint endpoint, std::string key_prefix, Options options);
    explicit RedisStore(redis::Endpoint endpoint, std::string key_prefix = "liveblog:");
    ~RedisStore() override;
    RedisStore(const RedisStore&) = delete;
    RedisStore& operator=(const RedisStore&) = delete;

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

    // The story's events with seq > since, oldest first, at most `limit`,
    // from its stream. The stream is trimmed, so the first event returned may
    // be later than since + 1: the caller then falls back to changed_since.
    std::vector<Event> events_since(const std::string& story, Seq since, std::size_t limit);

    // Test hook: the next write runs fn, then throws StoreFailure and sends
    // nothing to Redis, as if the commit had failed.
    void fail_next_write() { fail_next_write_ = true; }

    // Notices (StoreTxn::announce) are published on P"notices" as
    // "<origin>\n<text>"; this store's own carry this origin.
    const std::string& origin() const { return origin_; }

private:
    class Txn;
    class Script;

    enum class CommitOutcome { committed, conflict };
    CommitOutcome commit(const Txn& txn);
    // Waits a random moment, longer after each lost race: two nodes writing
    // one story in lockstep would otherwise collide again every time.
    void back_off(int attempt);
    // Runs f on the reader connection under the read mutex; a Redis error
    // becomes StoreFailure.
    template <class F>
    auto read(F f);

    const std::string prefix_;
    const std::string origin_;  // names this store's notices (Txn::announce)
    const Options options_;

    std::mutex write_mutex_;  // write() is single-threaded by contract; this makes it so
    std::unique_ptr<redis::Connection> writer_;
    std::unique_ptr<Script> commit_script_;  // writer side only
    std::minstd_rand backoff_random_;          // writer side only

    std::mutex read_mutex_;   // guards reader_ and read_script_
    std::unique_ptr<redis::Connection> reader_;
    std::unique_ptr<Script> read_script_;

    std::atomic<bool> fail_next_write_{false};
};

}  // namespace liveblog
