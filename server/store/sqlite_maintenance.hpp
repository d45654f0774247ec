#pragma once
// What an operator does to a SQLite store from outside the server
// (liveblog-server backup, check-config), safe while the server runs.
//
// A backup is VACUUM INTO on a read-only connection: one read transaction,
// so the copy is the database as of one commit (WAL mode: the server keeps
// writing meanwhile, and nothing it acknowledged after that commit is in
// the copy). The copy is checked (PRAGMA integrity_check) before it is
// given its final name: a backup that exists is a good one.

#include <cstdint>
#include <optional>
#include <string>

namespace liveblog {

// The schema version of the database at `path` (PRAGMA user_version), or
// nothing when there is no file yet. Throws StoreFailure if it is not a
// SQLite database.
std::optional<int> sqlite_file_schema_version(const std::string& path);

// Writes a consistent copy of `db_path` to `out_path` (which must not exist).
// Returns the copy's size in bytes; throws StoreFailure naming what failed.
std::uintmax_t sqlite_backup(const std::string& db_path, const std::string& out_path);

}  // namespace liveblog
