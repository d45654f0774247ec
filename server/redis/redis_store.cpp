#include "redis/redis_store.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <thread>
#include <utility>

#include <openssl/sha.h>

#include "common/random.hpp"
#include "redis/redis_codec.hpp"
#include "redis/redis_scripts.hpp"

namespace liveblog {

namespace {

// Option bounds: what XADD MAXLEN (a signed 64-bit count) and SET EX (a
// time in ms, signed 64-bit, from now) accept, with room to spare.
constexpr std::size_t kMaxStreamRetention = std::size_t{1} << 62;
constexpr std::uint64_t kMaxIdempotencyTtl = std::uint64_t{100} * 365 * 24 * 3600;  // 100 years

// ---------------------------------------------------------------------------
// Keys the C++ side reads directly (the scripts build theirs the same way)
// ---------------------------------------------------------------------------

std::string story_key(const std::string& prefix, const std::string& story) { return prefix + "s:" + story; }
std::string entries_key(const std::string& prefix, const std::string& story) {
    return story_key(prefix, story) + ":entries";
}
std::string idempotency_key(const std::string& prefix, const std::string& story, const std::string& key) {
    return story_key(prefix, story) + ":idem:" + key;
}
std::string events_key(const std::string& prefix, const std::string& story) {
    return story_key(prefix, story) + ":events";
}
std::string record_key(const std::string& prefix, const std::string& collection) { return prefix + "r:" + collection; }

// What the commit script compares with redis.sha1hex of the stored body.
std::string sha1_hex(const std::string& text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

using redis::Value;

[[noreturn]] void unexpected_reply(const char* what) {
    throw StoreFailure(std::string("redis: unexpected reply to ") + what);
}

// A bulk string reply, or none for nil. Error replies throw RedisError.
std::optional<std::string> optional_text(const Value& v, const char* what) {
    if (v.type == Value::Type::error) throw redis::RedisError(std::string("redis: ") + what + ": " + v.str, false);
    if (v.is_nil()) return std::nullopt;
    if (v.type != Value::Type::string) unexpected_reply(what);
    return v.str;
}

const Value& array_reply(const Value& v, const char* what) {
    if (v.type != Value::Type::array) unexpected_reply(what);
    return v;
}

std::vector<Entry> entries_from(const Value& reply, const char* what) {
    std::vector<Entry> out;
    out.reserve(reply.size());
    for (const auto& item : array_reply(reply, what).elements) {
        if (item.type != Value::Type::string) unexpected_reply(what);
        out.push_back(redis::parse_entry(item.str));
    }
    return out;
}

// At most `limit` entries, and whether there were more (the read asked for one more).
EntryPage page_from(const Value& reply, std::size_t limit) {
    EntryPage page;
    page.entries = entries_from(reply, "a page read");
    page.has_more = page.entries.size() > limit;
    if (page.has_more) page.entries.resize(limit);
    return page;
}

// Redis takes counts as signed 64-bit: "limit and one more", clamped.
std::string count_plus_one(std::size_t limit) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return std::to_string(std::min<std::uint64_t>(limit, max - 1) + 1);
}
std::string clamped_count(std::size_t limit) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return std::to_string(std::min<std::uint64_t>(limit, max));
}

// Runs an idempotent Redis call, and once more if the connection failed:
// a connection broken by a Redis restart is reopened by the second try
// instead of failing the caller. Never for the commit, which is not idempotent.
template <class F>
auto idempotent(F call) -> decltype(call()) {
    try {
        return call();
    } catch (const redis::RedisError& ex) {
        if (!ex.io) throw;
        return call();
    }
}

// The value remembered under `key`, fetched (and remembered) the first time.
template <class Map, class Fetch>
const typename Map::mapped_type& remembered(Map& map, const typename Map::key_type& key, Fetch fetch) {
    if (auto it = map.find(key); it != map.end()) return it->second;
    return map.emplace(key, fetch()).first->second;
}

}  // namespace

// ---------------------------------------------------------------------------
// Scripts, loaded by SHA
// ---------------------------------------------------------------------------

// A Lua script run with EVALSHA; loaded on first use, and again whenever
// Redis has forgotten it (a restart, SCRIPT FLUSH). The SHA depends only on
// the source, so one load serves every connection.
class RedisStore::Script {
public:
    explicit Script(std::string source) : source_(std::move(source)) {}

    // The script's reply; an error reply (the script failed) throws
    // RedisError{io=false}.
    Value run(redis::Connection& connection, const std::vector<std::string>& args) {
        if (sha_.empty()) load(connection);
        Value reply = connection.command(evalsha(args));
        if (reply.type == Value::Type::error && reply.str.starts_with("NOSCRIPT")) {
            load(connection);
            reply = connection.command(evalsha(args));
        }
        if (reply.type == Value::Type::error) throw redis::RedisError("redis: script failed: " + reply.str, false);
        return reply;
    }

private:
    void load(redis::Connection& connection) {
        Value reply = connection.command({"SCRIPT", "LOAD", source_});
        if (reply.type != Value::Type::string)
            throw redis::RedisError("redis: SCRIPT LOAD refused: " + reply.str, false);
        sha_ = reply.str;
    }

    std::vector<std::string> evalsha(const std::vector<std::string>& args) const {
        std::vector<std::string> argv{"EVALSHA", sha_, "0"};  // no KEYS: see redis_store.hpp
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    std::string source_;
    std::string sha_;
};

// ---------------------------------------------------------------------------
// Write transaction
// ---------------------------------------------------------------------------

// Reads go to Redis through the writer connection and are remembered (a
// second load of the same thing returns the first answer, so fn sees one
// state); saves and events are buffered for the commit script. A failed read
// or an unstorable save fails the write even if fn catches the error.
class RedisStore::Txn : public StoreTxn {
public:
    Txn(redis::Connection& connection, const std::string& prefix, const std::string& origin)
        : connection_(connection), prefix_(prefix), origin_(origin) {}

    std::optional<Story> load_story(const std::string& id) override {
        if (auto it = stories_saved_.find(id); it != stories_saved_.end()) return it->second.story;
        return remembered(stories_read_, id, [&]() -> std::optional<Story> {
            auto raw = fetch({"GET", story_key(prefix_, id)});
            if (!raw) return std::nullopt;
            return guarded([&] { return redis::parse_story(*raw); });
        });
    }

    void save_story(const Story& story) override {
        stories_saved_[story.id] = {story, stored_text(redis::story_to_json(story), "story '" + story.id + "'")};
    }

    std::optional<Entry> load_entry(const std::string& story, const std::string& entry_id) override {
        if (auto it = entries_saved_.find({story, entry_id}); it != entries_saved_.end()) return it->second.entry;
        return remembered(entries_read_, {story, entry_id}, [&]() -> std::optional<Entry> {
            auto raw = fetch({"HGET", entries_key(prefix_, story), entry_id});
            if (!raw) return std::nullopt;
            return guarded([&] { return redis::parse_entry(*raw); });
        });
    }

    std::optional<Entry> load_entry_by_key(const std::string& story, const std::string& key) override {
        if (key.empty()) return std::nullopt;  // "no key" never matches, as in the other stores
        for (const auto& [id, saved] : entries_saved_)
            if (id.first == story && saved.entry.idempotency_key == key) return saved.entry;
        const auto& entry_id = remembered(keys_read_, {story, key},
                                          [&] { return fetch({"GET", idempotency_key(prefix_, story, key)}); });
        // Saved again in this txn with another key: the scan above would have found it otherwise.
        if (!entry_id || entries_saved_.count({story, *entry_id})) return std::nullopt;
        auto entry = load_entry(story, *entry_id);
        // The key's record may outlive a change of the entry's key.
        if (!entry || entry->idempotency_key != key) return std::nullopt;
        return entry;
    }

    void save_entry(const Entry& entry) override {
        std::string text = stored_text(redis::entry_to_json(entry), "entry '" + entry.id + "'");
        entries_saved_[{entry.story, entry.id}] = {entry, std::move(text)};
    }

    // Published as "<origin>\n<text>": the feed skips its own node's notices.
    void announce(const std::string& text) override { notices_.push_back(origin_ + "\n" + text); }

    void append_event(const Event& event) override {
        events_.push_back({event.story, event.seq,
                           stored_text(redis::event_to_json(event), "event " + std::to_string(event.seq))});
    }

    std::optional<Record> load_record(const std::string& collection, const std::string& key) override {
        if (auto* changed = record_changes_.find(collection, key)) return *changed;
        return remembered(records_read_, {collection, key}, [&]() -> std::optional<Record> {
            auto body = fetch({"HGET", record_key(prefix_, collection), key});
            if (!body) return std::nullopt;
            auto group = fetch({"HGET", record_key(prefix_, collection) + ":grp", key});
            return Record{key, group.value_or(""), *body};
        });
    }

    void save_record(const std::string& collection, const Record& record) override {
        guarded([&] {
            check_record(collection, record);
            // The payload is JSON: a body that is not UTF-8 fails here, recorded.
            (void)stored_text(nlohmann::json(record.body), "record '" + record.key + "'");
        });
        record_changes_.save(collection, record);
    }

    void delete_record(const std::string& collection, const std::string& key) override {
        record_changes_.erase(collection, key);
    }

    // The first failure, if any load or save failed.
    const std::optional<std::string>& failure() const { return failure_; }

    // The commit script's transaction argument (see kCommitScript).
    std::string commit_payload() const {
        using nlohmann::json;
        json stories_read = json::array();
        for (const auto& [id, story] : stories_read_) {
            json r{{"id", id}};
            if (story) r["seq"] = story->seq;
            stories_read.push_back(std::move(r));
        }
        json entries_read = json::array();
        for (const auto& [id, entry] : entries_read_) {
            json r{{"story", id.first}, {"id", id.second}};
            if (entry) r["version"] = entry->version;
            entries_read.push_back(std::move(r));
        }
        json keys_read = json::array();
        for (const auto& [key, entry_id] : keys_read_) {
            json r{{"story", key.first}, {"key", key.second}};
            if (entry_id) r["entry"] = *entry_id;
            keys_read.push_back(std::move(r));
        }
        json stories = json::array();
        for (const auto& [id, saved] : stories_saved_) stories.push_back({{"id", id}, {"json", saved.text}});
        json entries = json::array();
        for (const auto& [id, saved] : entries_saved_) {
            const Entry& e = saved.entry;
            entries.push_back({{"story", e.story},
                               {"id", e.id},
                               {"json", saved.text},
                               {"created_seq", std::to_string(e.created_seq)},
                               {"modified_seq", std::to_string(e.modified_seq)},
                               {"deleted", e.deleted},
                               {"pinned", e.pinned},
                               {"key", e.idempotency_key}});
        }
        json events = json::array();
        for (const auto& e : events_)
            events.push_back({{"story", e.story}, {"seq", std::to_string(e.seq)}, {"json", e.text}});
        json records_read = json::array();
        for (const auto& [key, record] : records_read_) {
            json r{{"c", key.first}, {"k", key.second}};
            if (record) r["sha"] = sha1_hex(record->body);
            records_read.push_back(std::move(r));
        }
        json records = json::array(), records_deleted = json::array();
        for (const auto& [key, record] : record_changes_.all()) {
            if (record)
                records.push_back({{"c", key.first}, {"k", key.second}, {"g", record->group}, {"b", record->body}});
            else
                records_deleted.push_back({{"c", key.first}, {"k", key.second}});
        }
        return json{{"stories_read", std::move(stories_read)}, {"entries_read", std::move(entries_read)},
                    {"keys_read", std::move(keys_read)},       {"stories", std::move(stories)},
                    {"entries", std::move(entries)},           {"events", std::move(events)},
                    {"records_read", std::move(records_read)}, {"records", std::move(records)},
                    {"records_deleted", std::move(records_deleted)}, {"notices", notices_}}
            .dump();
    }

private:
    struct SavedStory {
        Story story;
        std::string text;  // its storage JSON
    };
    struct SavedEntry {
        Entry entry;
        std::string text;
    };
    struct AppendedEvent {
        std::string story;
        Seq seq;
        std::string text;
    };
    using StoryAndId = std::pair<std::string, std::string>;

    // Runs f; a failure is recorded (failing the write) and thrown as StoreFailure.
    template <class F>
    auto guarded(F f) -> decltype(f()) {
        try {
            return f();
        } catch (const redis::RedisError& ex) {
            record(ex.what());
            throw StoreFailure(ex.what());
        } catch (const StoreFailure& ex) {
            record(ex.what());
            throw;
        }
    }

    std::optional<std::string> fetch(const std::vector<std::string>& argv) {
        return guarded([&] {
            return idempotent([&] { return optional_text(connection_.command(argv), argv[0].c_str()); });
        });
    }

    // Serialised at save time, so a value that cannot be stored (text that is
    // not UTF-8) fails here, recorded, rather than at the commit.
    std::string stored_text(const nlohmann::json& json, const std::string& what) {
        return guarded([&] {
            try {
                return json.dump();
            } catch (const nlohmann::json::exception& ex) {
                throw StoreFailure("redis: " + what + " cannot be stored: " + ex.what());
            }
        });
    }

    void record(const std::string& what) {
        if (!failure_) failure_ = what;
    }

    redis::Connection& connection_;
    const std::string& prefix_;
    const std::string& origin_;

    // What was read from Redis (none: absent), checked unchanged at commit.
    std::map<std::string, std::optional<Story>> stories_read_;
    std::map<StoryAndId, std::optional<Entry>> entries_read_;
    std::map<StoryAndId, std::optional<std::string>> keys_read_;  // (story, key) -> entry id
    std::map<RecordChanges::Key, std::optional<Record>> records_read_;
    RecordChanges record_changes_;

    std::map<std::string, SavedStory> stories_saved_;
    std::map<StoryAndId, SavedEntry> entries_saved_;
    std::vector<AppendedEvent> events_;
    std::vector<std::string> notices_;
    std::optional<std::string> failure_;
};

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

RedisStore::RedisStore(redis::Endpoint endpoint, std::string key_prefix, Options options)
    : prefix_(std::move(key_prefix)),
      origin_(to_hex(random_bytes(8))),
      options_(options),
      writer_(std::make_unique<redis::Connection>(endpoint, options.timeout)),
      commit_script_(std::make_unique<Script>(redis_scripts::kCommitScript)),
      backoff_random_(std::random_device{}()),
      reader_(std::make_unique<redis::Connection>(endpoint, options.timeout)),
      read_script_(std::make_unique<Script>(redis_scripts::kReadScript)) {
    // Checked here because Redis would refuse them only at XADD or SET time,
    // half-way through a commit script.
    if (options_.stream_retention < 1 || options_.stream_retention > kMaxStreamRetention)
        throw std::invalid_argument("redis store: stream retention must be between 1 and " +
                                    std::to_string(kMaxStreamRetention) + " events");
    if (options_.idempotency_ttl_s < 1 || options_.idempotency_ttl_s > kMaxIdempotencyTtl)
        throw std::invalid_argument("redis store: idempotency TTL must be between 1 s and " +
                                    std::to_string(kMaxIdempotencyTtl) + " s");
}

RedisStore::RedisStore(redis::Endpoint endpoint, std::string key_prefix)
    : RedisStore(std::move(endpoint), std::move(key_prefix), Options{}) {}

RedisStore::~RedisStore() = default;

void RedisStore::write(const std::function<void(StoreTxn&)>& fn) {
    std::lock_guard lock(write_mutex_);
    for (int attempt = 1; attempt <= max_write_attempts; ++attempt) {
        Txn txn(*writer_, prefix_, origin_);
        fn(txn);
        if (txn.failure()) throw StoreFailure("redis: not committed: " + *txn.failure());
        if (fail_next_write_.exchange(false)) throw StoreFailure("redis: injected commit failure (fail_next_write)");
        if (commit(txn) == CommitOutcome::committed) return;
        if (attempt < max_write_attempts) back_off(attempt);
    }
    throw StoreFailure("redis: write conflict: other nodes changed what this write read, " +
                       std::to_string(max_write_attempts) + " times in a row");
}

RedisStore::CommitOutcome RedisStore::commit(const Txn& txn) {
    Value reply;
    try {
        reply = commit_script_->run(*writer_, {prefix_, txn.commit_payload(), std::to_string(options_.stream_retention),
                                               std::to_string(options_.idempotency_ttl_s)});
    } catch (const redis::RedisError& ex) {
        // io: the connection failed during the call, so the script may or may not have run.
        throw StoreFailure(std::string(ex.io ? "redis: commit outcome unknown: " : "redis: commit refused: ") +
                           ex.what());
    }
    if (reply.type != Value::Type::string) unexpected_reply("the commit");
    if (reply.str == "ok") return CommitOutcome::committed;
    if (reply.str == "conflict") return CommitOutcome::conflict;
    throw StoreFailure("redis: not committed: " + reply.str);
}

void RedisStore::back_off(int attempt) {
    // Up to 1, 2, 4, 8 then 16 ms: about one commit's time at first, so a
    // single lost race costs little.
    std::uniform_int_distribution<int> micros(0, 1000 << std::min(attempt - 1, 4));
    std::this_thread::sleep_for(std::chrono::microseconds(micros(backoff_random_)));
}

template <class F>
auto RedisStore::read(F f) {
    std::lock_guard lock(read_mutex_);
    try {
        Value reply = idempotent([&] { return f(*reader_); });
        if (reply.type == Value::Type::error) throw StoreFailure("redis: read refused: " + reply.str);
        return reply;
    } catch (const redis::RedisError& ex) {
        throw StoreFailure(ex.what());
    }
}

std::vector<Story> RedisStore::stories() {
    Value reply = read([&](redis::Connection& c) { return read_script_->run(c, {prefix_, "stories"}); });
    std::vector<Story> out;
    for (const auto& item : array_reply(reply, "a stories read").elements) {
        if (item.type != Value::Type::string) unexpected_reply("a stories read");
        out.push_back(redis::parse_story(item.str));
    }
    // As the other stores: newest first, then by id.
    std::sort(out.begin(), out.end(), [](const Story& a, const Story& b) {
        return a.created_at != b.created_at ? a.created_at > b.created_at : a.id < b.id;
    });
    return out;
}

std::optional<Story> RedisStore::story(const std::string& id) {
    Value reply = read([&](redis::Connection& c) { return c.command({"GET", story_key(prefix_, id)}); });
    auto raw = optional_text(reply, "GET");
    if (!raw) return std::nullopt;
    return redis::parse_story(*raw);
}

EntryPage RedisStore::entries(const std::string& story, Seq before, std::size_t limit) {
    std::string bound = before == 0 ? "+inf" : "(" + std::to_string(before);
    Value reply = read([&](redis::Connection& c) {
        return read_script_->run(c, {prefix_, "page", story, bound, count_plus_one(limit)});
    });
    return page_from(reply, limit);
}

std::optional<StorySnapshot> RedisStore::snapshot(const std::string& story, std::size_t limit,
                                                  std::size_t pinned_limit) {
    Value reply = read([&](redis::Connection& c) {
        return read_script_->run(c, {prefix_, "snapshot", story, count_plus_one(limit), clamped_count(pinned_limit)});
    });
    if (reply.is_nil()) return std::nullopt;
    if (array_reply(reply, "a snapshot read").size() != 3 || reply[0].type != Value::Type::string)
        unexpected_reply("a snapshot read");
    StorySnapshot snap;
    snap.story = redis::parse_story(reply[0].str);
    snap.page = page_from(reply[1], limit);
    snap.pinned = entries_from(reply[2], "a snapshot read");
    return snap;
}

std::vector<Entry> RedisStore::changed_since(const std::string& story, Seq since, std::size_t limit) {
    Value reply = read([&](redis::Connection& c) {
        return read_script_->run(c, {prefix_, "changed", story, "(" + std::to_string(since), count_plus_one(limit)});
    });
    return entries_from(reply, "a changed_since read");
}

std::optional<Record> RedisStore::record(const std::string& collection, const std::string& key) {
    Value reply = read([&](redis::Connection& c) { return read_script_->run(c, {prefix_, "record", collection, key}); });
    if (reply.is_nil()) return std::nullopt;
    if (array_reply(reply, "a record read").size() != 2 || reply[0].type != Value::Type::string ||
        reply[1].type != Value::Type::string)
        unexpected_reply("a record read");
    return Record{key, reply[1].str, reply[0].str};
}

std::vector<Record> RedisStore::records(const RecordQuery& q) {
    std::vector<Record> out;
    if (q.limit == 0) return out;
    // ZRANGEBYLEX bounds: "(" + key is exclusive; "-" and "+" the ends.
    std::string from = q.after.empty() || q.descending ? "-" : "(" + q.after;
    std::string to = q.after.empty() || !q.descending ? "+" : "(" + q.after;
    Value reply = read([&](redis::Connection& c) {
        return read_script_->run(c, {prefix_, "records", q.collection, q.group, from, to, q.descending ? "1" : "0",
                                     clamped_count(q.limit)});
    });
    const Value& items = array_reply(reply, "a records read");
    if (items.size() % 3 != 0) unexpected_reply("a records read");
    for (std::size_t i = 0; i < items.size(); i += 3) {
        if (items[i].type != Value::Type::string || items[i + 2].type != Value::Type::string)
            unexpected_reply("a records read");
        out.push_back(Record{items[i].str, items[i + 1].str, items[i + 2].str});
    }
    return out;
}

bool RedisStore::healthy() {
    try {
        Value reply = read([](redis::Connection& c) { return c.command({"PING"}); });
        return reply.type == Value::Type::status && reply.str == "PONG";
    } catch (const StoreFailure&) {
        return false;
    }
}

std::vector<Event> RedisStore::events_since(const std::string& story, Seq since, std::size_t limit) {
    if (limit == 0) return {};
    Value reply = read([&](redis::Connection& c) {
        return c.command({"XRANGE", events_key(prefix_, story), "(" + std::to_string(since) + "-0", "+", "COUNT",
                          clamped_count(limit)});
    });
    // Each item: [id, [field, value, ...]], the event in field "e".
    std::vector<Event> out;
    for (const auto& item : array_reply(reply, "XRANGE").elements) {
        if (item.type != Value::Type::array || item.size() != 2 || item[1].type != Value::Type::array)
            unexpected_reply("XRANGE");
        const Value& fields = item[1];
        const Value* event = nullptr;
        for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
            if (fields[i].str == "e") event = &fields[i + 1];
        if (!event || event->type != Value::Type::string) unexpected_reply("XRANGE (an item without its event)");
        out.push_back(redis::parse_event(event->str));
    }
    return out;
}

}  // namespace liveblog
