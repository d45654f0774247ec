#include "store/memory_store.hpp"

#include <algorithm>
#include <limits>

namespace liveblog {

// ---------------------------------------------------------------------------
// Indexes of one story
// ---------------------------------------------------------------------------

void MemoryStore::StoryRecord::put(const Entry& entry) {
    auto it = entries.find(entry.id);
    if (it == entries.end()) {
        index(entries.emplace(entry.id, entry).first->second);
        return;
    }
    unindex(it->second);
    it->second = entry;
    index(it->second);
}

void MemoryStore::StoryRecord::index(const Entry& e) {
    by_created_seq[e.created_seq] = e.id;
    if (!e.deleted) live.emplace(e.created_seq, e.id);
    if (!e.deleted && e.pinned) pinned.emplace(e.created_seq, e.id);
    by_modified_seq.emplace(e.modified_seq, e.id);
    if (!e.idempotency_key.empty()) by_key[e.idempotency_key] = e.id;
}

void MemoryStore::StoryRecord::unindex(const Entry& e) {
    if (auto it = by_created_seq.find(e.created_seq); it != by_created_seq.end() && it->second == e.id)
        by_created_seq.erase(it);
    live.erase({e.created_seq, e.id});
    pinned.erase({e.created_seq, e.id});
    by_modified_seq.erase({e.modified_seq, e.id});
    if (auto it = by_key.find(e.idempotency_key); it != by_key.end() && it->second == e.id) by_key.erase(it);
}

// ---------------------------------------------------------------------------
// Write transaction
// ---------------------------------------------------------------------------

// Reads the committed state without taking `data_mutex_`: the txn only lives
// inside write(), which holds `write_mutex_`, and nothing else modifies
// `stories_`; concurrent readers only read.
class MemoryStore::Txn : public StoreTxn {
public:
    explicit Txn(MemoryStore& store) : store_(store) {}

    std::optional<Story> load_story(const std::string& id) override {
        if (auto it = stories_.find(id); it != stories_.end()) return it->second;
        if (auto it = store_.stories_.find(id); it != store_.stories_.end()) return it->second.story;
        return std::nullopt;
    }

    void save_story(const Story& story) override { stories_[story.id] = story; }

    std::optional<Entry> load_entry(const std::string& story, const std::string& entry_id) override {
        if (auto it = entries_.find({story, entry_id}); it != entries_.end()) return it->second;
        if (const Entry* e = committed_entry(story, entry_id)) return *e;
        return std::nullopt;
    }

    std::optional<Entry> load_entry_by_key(const std::string& story, const std::string& key) override {
        if (key.empty()) return std::nullopt;  // "no key" never matches, as NULL in SQL
        for (const auto& [k, e] : entries_)
            if (k.first == story && e.idempotency_key == key) return e;
        auto rec = store_.stories_.find(story);
        if (rec == store_.stories_.end()) return std::nullopt;
        auto id = rec->second.by_key.find(key);
        if (id == rec->second.by_key.end()) return std::nullopt;
        // Saved again in this txn with another key: the overlay scan above
        // would have found it otherwise.
        if (entries_.count({story, id->second})) return std::nullopt;
        return rec->second.entries.at(id->second);
    }

    void save_entry(const Entry& entry) override {
        try {
            check_constraints(entry);
        } catch (const StoreFailure& ex) {
            failure_ = ex.what();
            throw;
        }
        entries_[{entry.story, entry.id}] = entry;
    }

    std::optional<Record> load_record(const std::string& collection, const std::string& key) override {
        if (auto* changed = record_changes_.find(collection, key)) return *changed;
        if (const Record* r = store_.records_.find(collection, key)) return *r;
        return std::nullopt;
    }

    void save_record(const std::string& collection, const Record& record) override {
        try {
            check_record(collection, record);
        } catch (const StoreFailure& ex) {
            failure_ = ex.what();
            throw;
        }
        record_changes_.save(collection, record);
    }

    void delete_record(const std::string& collection, const std::string& key) override {
        record_changes_.erase(collection, key);
    }

    // The first failed save, if any: write() then applies nothing even if fn
    // swallowed the exception, as the SQLite store must.
    const std::optional<std::string>& failure() const { return failure_; }

    // Caller holds `data_mutex_` exclusively. Stories first, so every entry's
    // story record exists (save_entry checked that it would).
    void apply() {
        for (auto& [id, story] : stories_) store_.stories_[id].story = std::move(story);
        for (auto& [key, entry] : entries_) store_.stories_.at(key.first).put(entry);
        for (auto& [key, record] : record_changes_.all()) {
            if (record)
                store_.records_.put(key.first, *record);
            else
                store_.records_.erase(key.first, key.second);
        }
    }

private:
    // The constraints of the SQLite schema: foreign key to the story, unique
    // (story, created_seq), unique (story, idempotency_key) when set.
    void check_constraints(const Entry& entry) const {
        if (!story_exists(entry.story))
            throw StoreFailure("entry '" + entry.id + "' saved for unknown story '" + entry.story + "'");
        if (clashes(entry, indexed(entry.story, &StoryRecord::by_created_seq, entry.created_seq),
                    [&](const Entry& other) { return other.created_seq == entry.created_seq; }))
            throw StoreFailure("created_seq " + std::to_string(entry.created_seq) + " already used in story '" +
                               entry.story + "'");
        if (!entry.idempotency_key.empty() &&
            clashes(entry, indexed(entry.story, &StoryRecord::by_key, entry.idempotency_key),
                    [&](const Entry& other) { return other.idempotency_key == entry.idempotency_key; }))
            throw StoreFailure("idempotency key already used in story '" + entry.story + "'");
    }

    bool story_exists(const std::string& id) const {
        return stories_.count(id) || store_.stories_.count(id);
    }

    const Entry* committed_entry(const std::string& story, const std::string& entry_id) const {
        auto rec = store_.stories_.find(story);
        if (rec == store_.stories_.end()) return nullptr;
        auto e = rec->second.entries.find(entry_id);
        return e == rec->second.entries.end() ? nullptr : &e->second;
    }

    // Whether another entry of the entry's story, as this txn sees it,
    // satisfies `same`. The overlay is one write's worth of saves, so scanning
    // it is cheap; on the committed side only `committed` (the entry id the
    // relevant index names, if any) can clash.
    template <class Pred>
    bool clashes(const Entry& entry, const std::string* committed, Pred same) const {
        for (const auto& [k, e] : entries_)
            if (k.first == entry.story && k.second != entry.id && same(e)) return true;
        if (!committed || *committed == entry.id || entries_.count({entry.story, *committed}))
            return false;  // none, itself, or replaced in this txn (checked above)
        return same(*committed_entry(entry.story, *committed));
    }

    template <class Index, class Key>
    const std::string* indexed(const std::string& story, Index StoryRecord::*index, const Key& key) const {
        auto rec = store_.stories_.find(story);
        if (rec == store_.stories_.end()) return nullptr;
        auto it = (rec->second.*index).find(key);
        return it == (rec->second.*index).end() ? nullptr : &it->second;
    }

    MemoryStore& store_;
    std::map<std::string, Story> stories_;
    std::map<std::pair<std::string, std::string>, Entry> entries_;  // by (story, entry id)
    RecordChanges record_changes_;
    std::optional<std::string> failure_;
};

void MemoryStore::write(const std::function<void(StoreTxn&)>& fn) {
    std::lock_guard write_lock(write_mutex_);
    Txn txn(*this);
    fn(txn);
    if (txn.failure()) throw StoreFailure("not committed: " + *txn.failure());
    if (fail_next_write_.exchange(false)) throw StoreFailure("injected write failure (fail_next_write)");
    std::unique_lock data_lock(data_mutex_);
    txn.apply();
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

std::vector<Story> MemoryStore::stories() {
    std::shared_lock lock(data_mutex_);
    std::vector<Story> out;
    out.reserve(stories_.size());
    for (const auto& [id, rec] : stories_) out.push_back(rec.story);
    // stories_ iterates by id, so a stable sort keeps id order within a created_at.
    std::stable_sort(out.begin(), out.end(),
                     [](const Story& a, const Story& b) { return a.created_at > b.created_at; });
    return out;
}

std::optional<Story> MemoryStore::story(const std::string& id) {
    std::shared_lock lock(data_mutex_);
    auto it = stories_.find(id);
    if (it == stories_.end()) return std::nullopt;
    return it->second.story;
}

EntryPage MemoryStore::page_locked(const StoryRecord& rec, Seq before, std::size_t limit) const {
    EntryPage page;
    // Entries with created_seq < before sit before the first (before, *) key.
    auto it = before == 0 ? rec.live.end() : rec.live.lower_bound({before, std::string()});
    while (it != rec.live.begin() && page.entries.size() < limit) {
        --it;
        page.entries.push_back(rec.entries.at(it->second));
    }
    page.has_more = it != rec.live.begin();
    return page;
}

EntryPage MemoryStore::entries(const std::string& story, Seq before, std::size_t limit) {
    std::shared_lock lock(data_mutex_);
    auto it = stories_.find(story);
    if (it == stories_.end()) return {};
    return page_locked(it->second, before, limit);
}

std::optional<StorySnapshot> MemoryStore::snapshot(const std::string& story, std::size_t limit,
                                                   std::size_t pinned_limit) {
    std::shared_lock lock(data_mutex_);
    auto it = stories_.find(story);
    if (it == stories_.end()) return std::nullopt;
    const StoryRecord& rec = it->second;
    StorySnapshot snap;
    snap.story = rec.story;
    snap.page = page_locked(rec, 0, limit);
    for (auto p = rec.pinned.rbegin(); p != rec.pinned.rend() && snap.pinned.size() < pinned_limit; ++p)
        snap.pinned.push_back(rec.entries.at(p->second));
    return snap;
}

std::vector<Entry> MemoryStore::changed_since(const std::string& story, Seq since, std::size_t limit) {
    std::shared_lock lock(data_mutex_);
    std::vector<Entry> out;
    auto it = stories_.find(story);
    if (it == stories_.end() || since == std::numeric_limits<Seq>::max()) return out;
    const StoryRecord& rec = it->second;
    for (auto m = rec.by_modified_seq.lower_bound({since + 1, std::string()});
         m != rec.by_modified_seq.end() && out.size() <= limit; ++m)
        out.push_back(rec.entries.at(m->second));
    return out;
}

std::optional<Record> MemoryStore::record(const std::string& collection, const std::string& key) {
    std::shared_lock lock(data_mutex_);
    if (const Record* r = records_.find(collection, key)) return *r;
    return std::nullopt;
}

std::vector<Record> MemoryStore::records(const RecordQuery& query) {
    std::shared_lock lock(data_mutex_);
    return records_.query(query);
}

}  // namespace liveblog
