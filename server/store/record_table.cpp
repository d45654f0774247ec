#include "store/record_table.hpp"

namespace liveblog {

void check_record(const std::string& collection, const Record& record) {
    // Collections are the server's own names; Redis builds key names from them.
    if (collection.empty() || collection.size() > 64 ||
        collection.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
        throw StoreFailure("record collection must be 1 to 64 of [a-z0-9_], not '" + collection + "'");
    if (record.key.empty() || record.key.size() > max_record_key_bytes)
        throw StoreFailure("record key in '" + collection + "' must be 1 to " + std::to_string(max_record_key_bytes) +
                           " bytes");
    if (record.group.size() > max_record_key_bytes)
        throw StoreFailure("record group in '" + collection + "' is over " + std::to_string(max_record_key_bytes) +
                           " bytes");
}

const Record* RecordTable::find(const std::string& collection, const std::string& key) const {
    auto it = records_.find({collection, key});
    return it == records_.end() ? nullptr : &it->second;
}

void RecordTable::put(const std::string& collection, const Record& record) {
    erase(collection, record.key);
    records_.emplace(std::make_pair(collection, record.key), record);
    by_group_.emplace(collection, record.group, record.key);
}

void RecordTable::erase(const std::string& collection, const std::string& key) {
    auto it = records_.find({collection, key});
    if (it == records_.end()) return;
    by_group_.erase({collection, it->second.group, key});
    records_.erase(it);
}

std::vector<Record> RecordTable::query(const RecordQuery& q) const {
    std::vector<Record> out;
    const auto take = [&](const auto& entry) {
        out.push_back(records_.at({std::get<0>(entry), std::get<2>(entry)}));
        return out.size() < q.limit;
    };
    if (q.limit == 0) return out;
    if (!q.descending) {
        // The first key after `after` in the group (an empty `after` sorts first).
        auto it = by_group_.upper_bound({q.collection, q.group, q.after});
        for (; it != by_group_.end() && std::get<0>(*it) == q.collection && std::get<1>(*it) == q.group; ++it)
            if (!take(*it)) break;
        return out;
    }
    // Descending: from the last key before `after` (or the group's last key).
    auto it = q.after.empty() ? by_group_.lower_bound({q.collection, q.group + '\0', std::string()})
                              : by_group_.lower_bound({q.collection, q.group, q.after});
    while (it != by_group_.begin()) {
        --it;
        if (std::get<0>(*it) != q.collection || std::get<1>(*it) != q.group) break;
        if (!take(*it)) break;
    }
    return out;
}

const std::optional<Record>* RecordChanges::find(const std::string& collection, const std::string& key) const {
    auto it = changes_.find({collection, key});
    return it == changes_.end() ? nullptr : &it->second;
}

}  // namespace liveblog
