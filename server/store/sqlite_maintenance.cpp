#include "store/sqlite_maintenance.hpp"

#include <cstdint>
#include <filesystem>

#include "store/sqlite_api.hpp"

namespace liveblog {

namespace fs = std::filesystem;
using namespace sqlite;

namespace {
DbHandle open_read_only(const std::string& path) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    DbHandle db(raw);
    if (rc != SQLITE_OK)
        throw StoreFailure("sqlite: cannot open '" + path + "': " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    sqlite3_busy_timeout(raw, 5000);
    return db;
}
}  // namespace

std::optional<int> sqlite_file_schema_version(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    auto db = open_read_only(path);
    return user_version(db.get());
}

std::uintmax_t sqlite_backup(const std::string& db_path, const std::string& out_path) {
    std::error_code ec;
    if (!fs::exists(db_path, ec)) throw StoreFailure("backup: no database at '" + db_path + "'");
    if (fs::exists(out_path, ec)) throw StoreFailure("backup: '" + out_path + "' exists; name a new file");
    const std::string partial = out_path + ".partial";
    fs::remove(partial, ec);
    auto db = open_read_only(db_path);
    try {
        Statement vacuum(db.get(), "VACUUM INTO ?1");
        Query(vacuum).bind(1, partial).step();
        auto copy = open_read_only(partial);
        Statement check(copy.get(), "PRAGMA integrity_check");
        Query q(check);
        const bool ok = q.step() && q.text(0) == "ok";
        if (!ok) throw StoreFailure("backup: the copy failed its integrity check");
    } catch (...) {
        fs::remove(partial, ec);
        throw;
    }
    fs::rename(partial, out_path, ec);
    if (ec) throw StoreFailure("backup: cannot name the copy '" + out_path + "': " + ec.message());
    return fs::file_size(out_path, ec);
}

}  // namespace liveblog
