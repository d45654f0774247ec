#pragma once
// MemoryStore: the Store contract (store/store.hpp) kept in process memory.
// Nothing survives the process; used by tests and by single-node runs that do
// not need durability.
//
// A write buffers every save in an overlay that its own loads see first; the
// overlay is applied under the exclusive lock only after fn returned, so
// readers see either all of a write or none of it. The same constraints as the
// SQLite schema are enforced at save time (the story must exist; created_seq
// and idempotency key unique per story), so both stores fail the same way.

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <utility>

#include "store/record_table.hpp"
#include "store/store.hpp"

namespace liveblog {

class MemoryStore : public Store {
public:
    MemoryStore() = default;
    MemoryStore(const MemoryStore&) = delete;
    MemoryStore& operator=(const MemoryStore&) = delete;

    void write(const std::function<void(StoreTxn&)>& fn) override;

    std::vector<Story> stories() override;
    std::optional<Story> story(const std::string& id) override;
    EntryPage entries(const std::string& story, Seq before, std::size_t limit) override;
    std::optional<StorySnapshot> snapshot(const std::string& story, std::size_t limit,
                                          std::size_t pinned_limit) override;
    std::vector<Entry> changed_since(const std::string& story, Seq since, std::size_t limit) override;
    std::optional<Record> record(const std::string& collection, const std::string& key) override;
    std::vector<Record> records(const RecordQuery& query) override;
    bool healthy() override { return true; }

    // Test hook: the next write runs fn, then throws StoreFailure and applies
    // nothing, as if the commit had failed.
    void fail_next_write() { fail_next_write_ = true; }

private:
    class Txn;

    using SeqId = std::pair<Seq, std::string>;  // (a seq, entry id): index key

    // One story and its entries. The sets index `entries` and are kept in step
    // with it by index()/unindex() only.
    struct StoryRecord {
        Story story;
        std::map<std::string, Entry> entries;       // by entry id
        std::map<Seq, std::string> by_created_seq;  // every entry
        std::set<SeqId> live;                       // (created_seq, id) of non-deleted entries
        std::set<SeqId> pinned;                     // (created_seq, id) of pinned non-deleted entries
        std::set<SeqId> by_modified_seq;            // (modified_seq, id) of every entry
        std::map<std::string, std::string> by_key;  // idempotency key -> entry id

        void put(const Entry& entry);
        void index(const Entry& entry);
        void unindex(const Entry& entry);
    };

    EntryPage page_locked(const StoryRecord& rec, Seq before, std::size_t limit) const;

    // Serialises writers; held for the whole of write(), so `stories_` changes
    // only while it is held (and then under the exclusive `data_mutex_` too).
    std::mutex write_mutex_;
    std::shared_mutex data_mutex_;
    std::map<std::string, StoryRecord> stories_;
    RecordTable records_;
    std::atomic<bool> fail_next_write_{false};
};

}  // namespace liveblog
