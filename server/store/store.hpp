#pragma once
// Store: where stories and entries live durably.
//
// Contract, for every implementation (tests/store/store_conformance.cpp runs
// the same suite against each):
//  - write(fn) runs fn against a transaction and commits it atomically: after
//    write returns, everything fn saved survives a crash of the process; if it
//    throws StoreFailure, nothing fn saved is visible, ever.
//    A save that fails inside fn fails the whole write, even if fn catches
//    the error (a store may also detect it only at commit: same outcome).
//  - a store shared by several nodes (RedisStore) may run fn more than once
//    (another node changed what fn read): only the last run counts. If its
//    connection breaks during the commit call itself, write throws although
//    the commit may have happened: callers answer "retryable", and an
//    idempotency key makes the retry safe.
//  - write is called from one thread at a time (the hub's storage thread).
//  - the read methods may be called from any thread, concurrently with write;
//    each returns a state that some committed write left (never a torn one).
//  - entries are never removed: a deletion is a tombstone (`deleted`), so a
//    resuming reader can learn of it.
//  - records (below) are opaque documents: a store keeps them, finds them by
//    key and lists them by group in key order, in the same transactions as
//    stories and entries (publishing a draft and recording its revision
//    commit together).
// Business rules (seq assignment, versions, idempotency) live in
// core/command_rules, above this interface, and are the same for every store.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/content.hpp"

namespace liveblog {

struct StoreFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One document of the newsroom (an account, a session, an API token, a
// revision, an audit event...), in a named collection. What the documents
// mean, and their rules, are the business of the layers above (accounts/).
struct Record {
    std::string key;    // unique in its collection: 1 to max_record_key_bytes bytes
    std::string group;  // what lists it (records of one group, in key order); may be empty
    std::string body;   // the document (JSON text)

    bool operator==(const Record&) const = default;
};

inline constexpr std::size_t max_record_key_bytes = 512;

// Records of one group, in key order (byte-wise), strictly after `after`
// (strictly before it when descending); an empty `after` starts at the first
// (or last) key.
struct RecordQuery {
    std::string collection;
    std::string group;
    std::string after;
    std::size_t limit = 100;
    bool descending = false;
};

// Throws StoreFailure for a record no store keeps (an empty or oversized key
// or collection), so that every store refuses the same ones.
void check_record(const std::string& collection, const Record& record);

// The primitive operations of one write transaction.
class StoreTxn {
public:
    virtual ~StoreTxn() = default;
    virtual std::optional<Story> load_story(const std::string& id) = 0;
    virtual void save_story(const Story& story) = 0;  // insert or replace
    virtual std::optional<Entry> load_entry(const std::string& story, const std::string& entry_id) = 0;
    // The entry created with this idempotency key in this story, if any.
    virtual std::optional<Entry> load_entry_by_key(const std::string& story, const std::string& key) = 0;
    virtual void save_entry(const Entry& entry) = 0;  // insert or replace
    virtual std::optional<Record> load_record(const std::string& collection, const std::string& key) = 0;
    virtual void save_record(const std::string& collection, const Record& record) = 0;  // insert or replace
    virtual void delete_record(const std::string& collection, const std::string& key) = 0;  // absent: no-op
    // The event this transaction's saves make (apply_command calls it once
    // per successful command). A store shared by several nodes keeps them as
    // the cross-node feed; a single-node store needs no log (entries carry
    // their modified_seq and deletions are tombstones), so the default drops them.
    virtual void append_event(const Event& event) {}
    // A notice for the other nodes' hubs, sent once this transaction commits
    // (apply_command calls it for a desk change: the editors' channel). A
    // store shared by several nodes publishes it; a single-node store has
    // nobody to tell, so the default drops it.
    virtual void announce(const std::string& text) {}
};

struct EntryPage {
    std::vector<Entry> entries;  // newest first (by created_seq), no tombstones
    bool has_more = false;       // older live entries exist
};

// What a reader needs to start from nothing, read in one consistent view.
struct StorySnapshot {
    Story story;
    EntryPage page;
    std::vector<Entry> pinned;  // newest first
};

class Store {
public:
    virtual ~Store() = default;

    virtual void write(const std::function<void(StoreTxn&)>& fn) = 0;

    virtual std::vector<Story> stories() = 0;
    virtual std::optional<Story> story(const std::string& id) = 0;
    // Live entries with created_seq < before (0: from the newest), newest first.
    virtual EntryPage entries(const std::string& story, Seq before, std::size_t limit) = 0;
    virtual std::optional<StorySnapshot> snapshot(const std::string& story, std::size_t limit,
                                                  std::size_t pinned_limit) = 0;
    // Every entry (tombstones included) changed after `since`, by modified_seq
    // ascending, at most `limit` + 1 of them (so a caller can tell "more").
    virtual std::vector<Entry> changed_since(const std::string& story, Seq since, std::size_t limit) = 0;
    virtual std::optional<Record> record(const std::string& collection, const std::string& key) = 0;
    virtual std::vector<Record> records(const RecordQuery& query) = 0;
    // True when the store can serve reads and writes (for /readyz).
    virtual bool healthy() = 0;
};

}  // namespace liveblog
