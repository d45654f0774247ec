#pragma once
// The SQLite C API, wrapped for the SQLite store: errors become StoreFailure,
// statements are prepared once and reset after each use, and the schema is
// migrated forward in one transaction (PRAGMA user_version).

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/content.hpp"
#include "store/store.hpp"

namespace liveblog::sqlite {

[[noreturn]] inline void fail(sqlite3* db, std::string_view what) {
    throw StoreFailure("sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db) + " (code " +
                       std::to_string(sqlite3_extended_errcode(db)) + ")");
}

inline void exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return;
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw StoreFailure("sqlite: " + sql.substr(0, 40) + ": " + msg + " (code " + std::to_string(rc) + ")");
}

// Ends the connection's transaction, if one is open, keeping nothing.
// Errors are ignored: the caller is already failing, and if the transaction
// survives the next BEGIN reports it.
inline void rollback_quietly(sqlite3* db) {
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

struct DbClose {
    // close_v2: the handle goes once its last statement is finalized, whatever
    // the order of destruction.
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;

// Seqs and limits are unsigned in C++ and signed 64-bit in SQLite; values past
// INT64_MAX are clamped rather than wrapped to negative.
inline std::int64_t to_db(std::uint64_t v) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(v, std::numeric_limits<std::int64_t>::max()));
}
// LIMIT for "limit rows and one more".
inline std::int64_t limit_plus_one(std::size_t limit) {
    return to_db(std::min<std::uint64_t>(limit, std::numeric_limits<std::int64_t>::max() - 1)) + 1;
}

class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
            fail(db, std::string("prepare ") + sql);
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    sqlite3* db() const { return db_; }
    sqlite3_stmt* get() const { return stmt_; }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// One use of a Statement. Resets it on destruction, so a statement never
// holds a read snapshot or a lock past its use.
class Query {
public:
    explicit Query(Statement& s) : s_(s) {}
    ~Query() {
        sqlite3_reset(s_.get());
        sqlite3_clear_bindings(s_.get());
    }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(s_.get(), i, v)); }
    Query& bind(int i, bool v) { return bind(i, std::int64_t{v ? 1 : 0}); }
    Query& bind(int i, const std::string& v) {
        return check(sqlite3_bind_text(s_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Query& bind(int i, const std::optional<std::string>& v) {
        return v ? bind(i, *v) : check(sqlite3_bind_null(s_.get(), i));
    }

    // True when a row is ready; false when the statement is done.
    bool step() {
        int rc = sqlite3_step(s_.get());
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(s_.db(), std::string("step ") + sqlite3_sql(s_.get()));
    }

    bool is_null(int col) const { return sqlite3_column_type(s_.get(), col) == SQLITE_NULL; }
    std::int64_t integer(int col) const { return sqlite3_column_int64(s_.get(), col); }
    Seq seq(int col) const { return static_cast<Seq>(std::max<std::int64_t>(integer(col), 0)); }
    bool boolean(int col) const { return integer(col) != 0; }
    std::string text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_.get(), col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), col))) : std::string();
    }

private:
    Query& check(int rc) {
        if (rc != SQLITE_OK) fail(s_.db(), "bind");
        return *this;
    }

    Statement& s_;
};

inline int user_version(sqlite3* db) {
    Statement s(db, "PRAGMA user_version");
    Query q(s);
    if (!q.step()) fail(db, "read user_version");
    return static_cast<int>(q.integer(0));
}

// Brings the schema up to `target` (steps[v] takes it from v to v + 1), all
// steps in one transaction.
inline void migrate(sqlite3* db, const std::string& path, const char* const* steps, int target) {
    auto check = [&](int version) {
        if (version > target)
            throw StoreFailure("'" + path + "' has schema version " + std::to_string(version) +
                               ", newer than this build understands (" +
                               std::to_string(target) +
                               "); run a newer liveblog or use another file");
        if (version < 0) throw StoreFailure("'" + path + "' has a negative schema version; not a liveblog store");
    };
    int version = user_version(db);
    check(version);
    if (version == target) return;
    exec(db, "BEGIN IMMEDIATE");
    try {
        version = user_version(db);  // another process may have migrated it meanwhile
        check(version);
        for (; version < target; ++version)
            exec(db, steps[version]);
        exec(db, "PRAGMA user_version = " + std::to_string(target));
        exec(db, "COMMIT");
    } catch (...) {
        rollback_quietly(db);
        throw;
    }
}

inline std::string pragma_text(sqlite3* db, const char* sql) {
    Statement s(db, sql);
    Query q(s);
    return q.step() ? q.text(0) : std::string();
}

}  // namespace liveblog::sqlite
