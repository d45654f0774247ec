#pragma once
// The stored files most asked for, in memory: a lead image is fetched by
// every reader who opens the page, and answering it from here costs no
// system call and no hop to a store reader thread. Files never change once
// stored (their name is their version), so an entry is never stale; the
// least recently used go first past `max_bytes`.
//
// Thread-safe; values are shared, immutable once made.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace liveblog::media {

using FileBytes = std::shared_ptr<const std::string>;

class MediaFileCache {
public:
    explicit MediaFileCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    // The file under `key` ("<id>/<name>"), or null.
    FileBytes find(const std::string& key);
    // Keeps `bytes` under `key` unless it alone is over a quarter of the budget.
    void put(const std::string& key, FileBytes bytes);
    std::size_t bytes() const;

private:
    struct Item {
        std::string key;
        FileBytes bytes;
    };
    std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::list<Item> order_;  // most recently used first
    std::unordered_map<std::string, std::list<Item>::iterator> index_;
    std::size_t bytes_ = 0;
};

}  // namespace liveblog::media
