#include "media/media_file_cache.hpp"

namespace liveblog::media {

FileBytes MediaFileCache::find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->bytes;
}

void MediaFileCache::put(const std::string& key, FileBytes bytes) {
    if (!bytes || bytes->size() > max_bytes_ / 4) return;
    std::lock_guard lock(mutex_);
    if (index_.count(key)) return;
    bytes_ += bytes->size();
    order_.push_front({key, std::move(bytes)});
    index_[key] = order_.begin();
    while (bytes_ > max_bytes_ && !order_.empty()) {
        bytes_ -= order_.back().bytes->size();
        index_.erase(order_.back().key);
        order_.pop_back();
    }
}

std::size_t MediaFileCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace liveblog::media
