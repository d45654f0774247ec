#pragma once
// Records (store/store.hpp) held in memory: the committed records of a
// MemoryStore, and the changes a write transaction has not committed yet
// (MemoryStore, RedisStore), which its own loads see first.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace liveblog {

// By (collection, key), listed by (collection, group) in key order.
class RecordTable {
public:
    const Record* find(const std::string& collection, const std::string& key) const;
    void put(const std::string& collection, const Record& record);
    void erase(const std::string& collection, const std::string& key);
    std::vector<Record> query(const RecordQuery& q) const;

private:
    std::map<std::pair<std::string, std::string>, Record> records_;
    std::set<std::tuple<std::string, std::string, std::string>> by_group_;  // (collection, group, key)
};

// One transaction's saves and deletions of records, latest per key.
class RecordChanges {
public:
    using Key = std::pair<std::string, std::string>;  // (collection, key)
    // Null: this transaction has not touched it; else the record it leaves
    // (none: deleted).
    const std::optional<Record>* find(const std::string& collection, const std::string& key) const;
    void save(const std::string& collection, const Record& record) { changes_[{collection, record.key}] = record; }
    void erase(const std::string& collection, const std::string& key) { changes_[{collection, key}] = std::nullopt; }
    const std::map<Key, std::optional<Record>>& all() const { return changes_; }

private:
    std::map<Key, std::optional<Record>> changes_;
};

}  // namespace liveblog
