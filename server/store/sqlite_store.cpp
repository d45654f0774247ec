#include "store/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <limits>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "store/sqlite_api.hpp"

namespace liveblog {

using namespace sqlite;

namespace {

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

// kMigrations[v] takes the schema from version v to v + 1, inside the
// migration's transaction. Add a step per new version; never edit a step
// that a released build has run.
constexpr const char* kMigrations[] = {
    // 0 -> 1: initial schema.
    R"sql(
        CREATE TABLE stories (
            id         TEXT PRIMARY KEY NOT NULL,
            title      TEXT NOT NULL,
            summary    TEXT NOT NULL,
            lang       TEXT NOT NULL,
            status     TEXT NOT NULL CHECK (status IN ('live', 'paused', 'ended')),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            seq        INTEGER NOT NULL,
            epoch      TEXT NOT NULL,
            meta_seq   INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE entries (
            story           TEXT NOT NULL REFERENCES stories (id),
            id              TEXT NOT NULL,
            version         INTEGER NOT NULL,
            published_at    INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL,
            author          TEXT NOT NULL,
            title           TEXT,
            key_event       INTEGER NOT NULL,
            pinned          INTEGER NOT NULL,
            deleted         INTEGER NOT NULL,
            blocks          TEXT NOT NULL,
            created_seq     INTEGER NOT NULL,
            modified_seq    INTEGER NOT NULL,
            idempotency_key TEXT,
            PRIMARY KEY (story, id),
            UNIQUE (story, created_seq)
        ) STRICT;

        CREATE INDEX entries_by_modified_seq ON entries (story, modified_seq);
        CREATE UNIQUE INDEX entries_by_idempotency_key ON entries (story, idempotency_key)
            WHERE idempotency_key IS NOT NULL;
        CREATE INDEX entries_pinned ON entries (story, created_seq)
            WHERE pinned = 1 AND deleted = 0;
    )sql",
    // 1 -> 2: records (accounts, sessions, API tokens, revisions, audit...).
    R"sql(
        CREATE TABLE records (
            collection TEXT NOT NULL,
            key        TEXT NOT NULL,
            grp        TEXT NOT NULL,
            body       TEXT NOT NULL,
            PRIMARY KEY (collection, key)
        ) STRICT, WITHOUT ROWID;

        CREATE INDEX records_by_group ON records (collection, grp, key);
    )sql",
    // 2 -> 3: public corrections of entries, JSON [{"at":ms,"note":…}].
    R"sql(
        ALTER TABLE entries ADD COLUMN corrections TEXT NOT NULL DEFAULT '[]';
    )sql",
    // 3 -> 4: a story's lead image (JSON object, NULL when none) and related
    // links (JSON array).
    R"sql(
        ALTER TABLE stories ADD COLUMN lead_image TEXT;
        ALTER TABLE stories ADD COLUMN related TEXT NOT NULL DEFAULT '[]';
    )sql",
};
static_assert(std::size(kMigrations) == SqliteStore::schema_version,
              "one migration step per schema version");

#define LIVEBLOG_STORY_COLUMNS \
    "id, title, summary, lang, status, created_at, updated_at, seq, epoch, meta_seq, lead_image, related"
#define LIVEBLOG_ENTRY_COLUMNS                                                                    \
    "story, id, version, published_at, updated_at, author, title, key_event, pinned, deleted, " \
    "blocks, created_seq, modified_seq, idempotency_key, corrections"

constexpr const char* kSelectStory = "SELECT " LIVEBLOG_STORY_COLUMNS " FROM stories WHERE id = ?1";
constexpr const char* kSelectStories =
    "SELECT " LIVEBLOG_STORY_COLUMNS " FROM stories ORDER BY created_at DESC, id ASC";
constexpr const char* kUpsertStory =
    "INSERT INTO stories (" LIVEBLOG_STORY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (id) DO UPDATE SET title = excluded.title, summary = excluded.summary, "
    "lang = excluded.lang, status = excluded.status, created_at = excluded.created_at, "
    "updated_at = excluded.updated_at, seq = excluded.seq, epoch = excluded.epoch, meta_seq = excluded.meta_seq, "
    "lead_image = excluded.lead_image, related = excluded.related";

constexpr const char* kSelectEntry =
    "SELECT " LIVEBLOG_ENTRY_COLUMNS " FROM entries WHERE story = ?1 AND id = ?2";
constexpr const char* kSelectEntryByKey =
    "SELECT " LIVEBLOG_ENTRY_COLUMNS " FROM entries WHERE story = ?1 AND idempotency_key = ?2";
constexpr const char* kUpsertEntry =
    "INSERT INTO entries (" LIVEBLOG_ENTRY_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
    "ON CONFLICT (story, id) DO UPDATE SET version = excluded.version, "
    "published_at = excluded.published_at, updated_at = excluded.updated_at, author = excluded.author, "
    "title = excluded.title, key_event = excluded.key_event, pinned = excluded.pinned, "
    "deleted = excluded.deleted, blocks = excluded.blocks, created_seq = excluded.created_seq, "
    "modified_seq = excluded.modified_seq, idempotency_key = excluded.idempotency_key, "
    "corrections = excluded.corrections";
// The literal `pinned = 1 AND deleted = 0` matches the partial index.
constexpr const char* kSelectPage =
    "SELECT " LIVEBLOG_ENTRY_COLUMNS " FROM entries WHERE story = ?1 AND deleted = 0 AND created_seq < ?2 "
    "ORDER BY created_seq DESC LIMIT ?3";
constexpr const char* kSelectPinned =
    "SELECT " LIVEBLOG_ENTRY_COLUMNS " FROM entries WHERE story = ?1 AND pinned = 1 AND deleted = 0 "
    "ORDER BY created_seq DESC LIMIT ?2";
constexpr const char* kSelectChanged =
    "SELECT " LIVEBLOG_ENTRY_COLUMNS " FROM entries WHERE story = ?1 AND modified_seq > ?2 "
    "ORDER BY modified_seq ASC LIMIT ?3";
constexpr const char* kSelectRecord = "SELECT key, grp, body FROM records WHERE collection = ?1 AND key = ?2";
constexpr const char* kUpsertRecord =
    "INSERT INTO records (collection, key, grp, body) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (collection, key) DO UPDATE SET grp = excluded.grp, body = excluded.body";
constexpr const char* kDeleteRecord = "DELETE FROM records WHERE collection = ?1 AND key = ?2";
constexpr const char* kSelectRecordsAfter =
    "SELECT key, grp, body FROM records WHERE collection = ?1 AND grp = ?2 AND key > ?3 ORDER BY key LIMIT ?4";
constexpr const char* kSelectRecordsBefore =
    "SELECT key, grp, body FROM records WHERE collection = ?1 AND grp = ?2 AND key < ?3 ORDER BY key DESC LIMIT ?4";
constexpr const char* kSelectRecordsLast =
    "SELECT key, grp, body FROM records WHERE collection = ?1 AND grp = ?2 ORDER BY key DESC LIMIT ?3";
constexpr const char* kHealthCheck = "SELECT count(*) FROM (SELECT 1 FROM stories LIMIT 1)";

#undef LIVEBLOG_STORY_COLUMNS
#undef LIVEBLOG_ENTRY_COLUMNS

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

Story read_story(const Query& q) {
    Story s;
    s.id = q.text(0);
    s.title = q.text(1);
    s.summary = q.text(2);
    s.lang = q.text(3);
    auto status = parse_story_status(q.text(4));
    if (!status) throw StoreFailure("sqlite: story '" + s.id + "' has unknown status '" + q.text(4) + "'");
    s.status = *status;
    s.created_at = q.integer(5);
    s.updated_at = q.integer(6);
    s.seq = q.seq(7);
    s.epoch = q.text(8);
    s.meta_seq = q.seq(9);
    try {
        if (!q.is_null(10)) s.lead_image = nlohmann::json::parse(q.text(10));
        s.related = nlohmann::json::parse(q.text(11));
    } catch (const nlohmann::json::exception& ex) {
        throw StoreFailure("sqlite: story '" + s.id + "' has an unreadable lead image or related links: " + ex.what());
    }
    return s;
}

Entry read_entry(const Query& q) {
    Entry e;
    e.story = q.text(0);
    e.id = q.text(1);
    e.version = static_cast<std::uint32_t>(q.integer(2));
    e.published_at = q.integer(3);
    e.updated_at = q.integer(4);
    e.author = q.text(5);
    if (!q.is_null(6)) e.title = q.text(6);
    e.key_event = q.boolean(7);
    e.pinned = q.boolean(8);
    e.deleted = q.boolean(9);
    try {
        e.blocks = nlohmann::json::parse(q.text(10));
    } catch (const nlohmann::json::exception& ex) {
        throw StoreFailure("sqlite: entry '" + e.id + "' of '" + e.story + "' has unreadable blocks: " + ex.what());
    }
    e.created_seq = q.seq(11);
    e.modified_seq = q.seq(12);
    if (!q.is_null(13)) e.idempotency_key = q.text(13);
    try {
        e.corrections = corrections_from_storage(nlohmann::json::parse(q.text(14)));
    } catch (const nlohmann::json::exception& ex) {
        throw StoreFailure("sqlite: entry '" + e.id + "' of '" + e.story + "' has unreadable corrections: " + ex.what());
    }
    return e;
}

Record read_record(const Query& q) { return Record{q.text(0), q.text(1), q.text(2)}; }

}  // namespace

// ---------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------

struct SqliteStore::Connection {
    DbHandle db;  // declared first: outlives the statements
    std::unordered_map<std::string_view, std::unique_ptr<Statement>> statements;

    Connection(const std::string& path, int flags) {
        sqlite3* raw = nullptr;
        int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
        db.reset(raw);
        if (rc != SQLITE_OK)
            throw StoreFailure("sqlite: cannot open '" + path + "': " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
        sqlite3_extended_result_codes(raw, 1);
        exec(raw, "PRAGMA busy_timeout = 5000");
    }

    // `sql` must be one of the static constants above: the cache keys on it.
    Statement& prepared(const char* sql) {
        auto& slot = statements[sql];
        if (!slot) slot = std::make_unique<Statement>(db.get(), sql);
        return *slot;
    }
};

// ---------------------------------------------------------------------------
// Write transaction
// ---------------------------------------------------------------------------

// Once any statement fails, the transaction is unusable (SQLite may even have
// rolled it back already and would autocommit whatever comes next), so every
// later call throws and write() rolls back even if fn swallowed the error.
class SqliteStore::Txn : public StoreTxn {
public:
    explicit Txn(Connection& c) : c_(c) {}

    // The first failure, if any statement failed.
    const std::optional<std::string>& failure() const { return failure_; }

    std::optional<Story> load_story(const std::string& id) override {
        return guarded([&]() -> std::optional<Story> {
            Query q(c_.prepared(kSelectStory));
            q.bind(1, id);
            if (!q.step()) return std::nullopt;
            return read_story(q);
        });
    }

    void save_story(const Story& s) override {
        guarded([&] {
            Query q(c_.prepared(kUpsertStory));
            q.bind(1, s.id).bind(2, s.title).bind(3, s.summary).bind(4, s.lang);
            q.bind(5, std::string(to_string(s.status))).bind(6, std::int64_t{s.created_at});
            q.bind(7, std::int64_t{s.updated_at}).bind(8, to_db(s.seq)).bind(9, s.epoch).bind(10, to_db(s.meta_seq));
            q.bind(11, s.lead_image.is_object() ? std::optional<std::string>(s.lead_image.dump()) : std::nullopt);
            q.bind(12, s.related.is_array() ? s.related.dump() : std::string("[]"));
            q.step();
        });
    }

    std::optional<Entry> load_entry(const std::string& story, const std::string& entry_id) override {
        return guarded([&]() -> std::optional<Entry> {
            Query q(c_.prepared(kSelectEntry));
            q.bind(1, story).bind(2, entry_id);
            if (!q.step()) return std::nullopt;
            return read_entry(q);
        });
    }

    std::optional<Entry> load_entry_by_key(const std::string& story, const std::string& key) override {
        if (key.empty()) return std::nullopt;  // stored as NULL, which matches nothing
        return guarded([&]() -> std::optional<Entry> {
            Query q(c_.prepared(kSelectEntryByKey));
            q.bind(1, story).bind(2, key);
            if (!q.step()) return std::nullopt;
            return read_entry(q);
        });
    }

    void save_entry(const Entry& e) override {
        // Serialised before the transaction is touched: a dump failure saves nothing.
        std::string blocks = e.blocks.dump();
        std::string corrections = corrections_to_storage(e.corrections).dump();
        guarded([&] {
            Query q(c_.prepared(kUpsertEntry));
            q.bind(1, e.story).bind(2, e.id).bind(3, std::int64_t{e.version});
            q.bind(4, std::int64_t{e.published_at}).bind(5, std::int64_t{e.updated_at}).bind(6, e.author);
            q.bind(7, e.title).bind(8, e.key_event).bind(9, e.pinned).bind(10, e.deleted).bind(11, blocks);
            q.bind(12, to_db(e.created_seq)).bind(13, to_db(e.modified_seq));
            q.bind(14, e.idempotency_key.empty() ? std::nullopt : std::optional<std::string>(e.idempotency_key));
            q.bind(15, corrections);
            q.step();
        });
    }

    std::optional<Record> load_record(const std::string& collection, const std::string& key) override {
        return guarded([&]() -> std::optional<Record> {
            Query q(c_.prepared(kSelectRecord));
            q.bind(1, collection).bind(2, key);
            if (!q.step()) return std::nullopt;
            return read_record(q);
        });
    }

    void save_record(const std::string& collection, const Record& r) override {
        guarded([&] {
            check_record(collection, r);
            Query q(c_.prepared(kUpsertRecord));
            q.bind(1, collection).bind(2, r.key).bind(3, r.group).bind(4, r.body);
            q.step();
        });
    }

    void delete_record(const std::string& collection, const std::string& key) override {
        guarded([&] {
            Query q(c_.prepared(kDeleteRecord));
            q.bind(1, collection).bind(2, key);
            q.step();
        });
    }

private:
    // Runs one statement's worth of work; records the first failure.
    template <class F>
    auto guarded(F f) -> decltype(f()) {
        if (failure_) throw StoreFailure("transaction unusable after an earlier failure: " + *failure_);
        try {
            return f();
        } catch (const StoreFailure& ex) {
            failure_ = ex.what();
            throw;
        }
    }

    Connection& c_;
    std::optional<std::string> failure_;
};

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

SqliteStore::SqliteStore(const std::string& path, std::size_t read_connections) {
    if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0)
        throw StoreFailure("SqliteStore needs a plain file path (its two connections share the file), not '" +
                           path + "'");
    if (!sqlite3_threadsafe()) throw StoreFailure("sqlite: library built without thread support");
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec) throw StoreFailure("cannot create directory '" + parent.string() + "': " + ec.message());
    }

    writer_ = std::make_unique<Connection>(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3* w = writer_->db.get();
    if (pragma_text(w, "PRAGMA journal_mode = WAL") != "wal")
        throw StoreFailure("sqlite: '" + path + "' cannot use WAL journal mode");
    // FULL: the WAL is synced at every commit, so an acknowledged write
    // survives power loss, not only a process crash.
    exec(w, "PRAGMA synchronous = FULL");
    exec(w, "PRAGMA foreign_keys = ON");  // a no-op inside a transaction: set first
    migrate(w, path, kMigrations, schema_version);

    for (std::size_t i = 0; i < std::max<std::size_t>(1, read_connections); ++i) {
        readers_.push_back(std::make_unique<Connection>(path, SQLITE_OPEN_READWRITE));
        exec(readers_.back()->db.get(), "PRAGMA query_only = ON");
        idle_readers_.push_back(readers_.back().get());
    }

    exec(w, "PRAGMA wal_autocheckpoint = 0");  // checkpoint_loop() does it, off the commit path
    checkpointer_ = std::make_unique<Connection>(path, SQLITE_OPEN_READWRITE);
    checkpoint_thread_ = std::thread([this] { checkpoint_loop(); });
}

SqliteStore::~SqliteStore() {
    {
        std::lock_guard lock(checkpoint_mutex_);
        stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
}

void SqliteStore::checkpoint_loop() {
    std::unique_lock lock(checkpoint_mutex_);
    for (;;) {
        bool stop = checkpoint_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
        lock.unlock();
        // PASSIVE: copies what no reader still needs and never blocks the
        // writer; what it cannot copy now waits for the next round. A failure
        // (disk full) leaves the WAL longer, never loses a commit.
        // (The SQL form, not sqlite3_wal_checkpoint_v2: a connection that has
        // not read the database yet does not know it is in WAL mode, and the
        // C call then does nothing.)
        sqlite3_exec(checkpointer_->db.get(), "PRAGMA wal_checkpoint(PASSIVE)", nullptr, nullptr, nullptr);
        if (stop) return;
        lock.lock();
    }
}

void SqliteStore::write(const std::function<void(StoreTxn&)>& fn) {
    std::lock_guard lock(write_mutex_);
    sqlite3* db = writer_->db.get();
    rollback_quietly(db);  // a transaction left open by a failed ROLLBACK
    exec(db, "BEGIN IMMEDIATE");
    try {
        Txn txn(*writer_);
        fn(txn);
        if (txn.failure()) throw StoreFailure("sqlite: not committed: " + *txn.failure());
        if (fail_next_write_.exchange(false)) throw StoreFailure("sqlite: injected commit failure (fail_next_write)");
        if (sqlite3_get_autocommit(db)) throw StoreFailure("sqlite: transaction was rolled back by SQLite");
        exec(db, "COMMIT");
    } catch (...) {
        rollback_quietly(db);
        throw;
    }
}

namespace {

// A read transaction on the reader connection: every query in it sees the
// same committed state. Rolls back if not committed (nothing to keep anyway).
class ReadTxn {
public:
    explicit ReadTxn(sqlite3* db) : db_(db) { exec(db_, "BEGIN"); }
    ~ReadTxn() { rollback_quietly(db_); }
    ReadTxn(const ReadTxn&) = delete;
    ReadTxn& operator=(const ReadTxn&) = delete;
    void commit() { exec(db_, "COMMIT"); }

private:
    sqlite3* db_;
};

}  // namespace

class SqliteStore::ReaderLease {
public:
    ReaderLease(SqliteStore& store, Connection* c) : store_(store), c_(c) {}
    ReaderLease(const ReaderLease&) = delete;
    ~ReaderLease() {
        {
            std::lock_guard lock(store_.read_mutex_);
            store_.idle_readers_.push_back(c_);
        }
        store_.reader_returned_.notify_one();
    }
    Connection* operator->() const { return c_; }

private:
    SqliteStore& store_;
    Connection* c_;
};

SqliteStore::ReaderLease SqliteStore::borrow_reader() {
    std::unique_lock lock(read_mutex_);
    reader_returned_.wait(lock, [this] { return !idle_readers_.empty(); });
    Connection* c = idle_readers_.back();
    idle_readers_.pop_back();
    return ReaderLease(*this, c);
}

std::vector<Story> SqliteStore::stories() {
    auto reader = borrow_reader();
    std::vector<Story> out;
    Query q(reader->prepared(kSelectStories));
    while (q.step()) out.push_back(read_story(q));
    return out;
}

std::optional<Story> SqliteStore::story(const std::string& id) {
    auto reader = borrow_reader();
    Query q(reader->prepared(kSelectStory));
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_story(q);
}

namespace {

// One statement, so one consistent view even outside a transaction.
EntryPage read_page(Statement& stmt, const std::string& story, Seq before, std::size_t limit) {
    EntryPage page;
    Query q(stmt);
    q.bind(1, story)
        .bind(2, before == 0 ? std::numeric_limits<std::int64_t>::max() : to_db(before))
        .bind(3, limit_plus_one(limit));
    while (q.step()) {
        if (page.entries.size() == limit) {
            page.has_more = true;
            break;
        }
        page.entries.push_back(read_entry(q));
    }
    return page;
}

}  // namespace

EntryPage SqliteStore::entries(const std::string& story, Seq before, std::size_t limit) {
    auto reader = borrow_reader();
    return read_page(reader->prepared(kSelectPage), story, before, limit);
}

std::optional<StorySnapshot> SqliteStore::snapshot(const std::string& story, std::size_t limit,
                                                   std::size_t pinned_limit) {
    auto reader = borrow_reader();
    ReadTxn txn(reader->db.get());
    StorySnapshot snap;
    {
        Query q(reader->prepared(kSelectStory));
        q.bind(1, story);
        if (!q.step()) return std::nullopt;
        snap.story = read_story(q);
    }
    snap.page = read_page(reader->prepared(kSelectPage), story, 0, limit);
    {
        Query q(reader->prepared(kSelectPinned));
        q.bind(1, story).bind(2, to_db(pinned_limit));
        while (q.step()) snap.pinned.push_back(read_entry(q));
    }
    txn.commit();
    return snap;
}

std::vector<Entry> SqliteStore::changed_since(const std::string& story, Seq since, std::size_t limit) {
    auto reader = borrow_reader();
    std::vector<Entry> out;
    Query q(reader->prepared(kSelectChanged));
    q.bind(1, story).bind(2, to_db(since)).bind(3, limit_plus_one(limit));
    while (q.step()) out.push_back(read_entry(q));
    return out;
}

std::optional<Record> SqliteStore::record(const std::string& collection, const std::string& key) {
    auto reader = borrow_reader();
    Query q(reader->prepared(kSelectRecord));
    q.bind(1, collection).bind(2, key);
    if (!q.step()) return std::nullopt;
    return read_record(q);
}

std::vector<Record> SqliteStore::records(const RecordQuery& rq) {
    std::vector<Record> out;
    if (rq.limit == 0) return out;
    auto reader = borrow_reader();
    const bool last = rq.descending && rq.after.empty();
    Query q(reader->prepared(last ? kSelectRecordsLast : rq.descending ? kSelectRecordsBefore : kSelectRecordsAfter));
    q.bind(1, rq.collection).bind(2, rq.group);
    if (last)
        q.bind(3, to_db(rq.limit));
    else
        q.bind(3, rq.after).bind(4, to_db(rq.limit));
    while (q.step()) out.push_back(read_record(q));
    return out;
}

bool SqliteStore::healthy() {
    auto reader = borrow_reader();
    try {
        Query q(reader->prepared(kHealthCheck));
        return q.step();
    } catch (const StoreFailure&) {
        return false;
    }
}

}  // namespace liveblog
