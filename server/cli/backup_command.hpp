#pragma once
// liveblog-server backup --output DIR [--config FILE | --data-dir DIR]:
// a consistent copy of a SQLite store, taken while the server runs
// (store/sqlite_maintenance), with the token signing secret beside it
// (without it, every console session and API token of the restored
// server would be invalid). README "Backup, restore and upgrade" says how
// to restore.

#include <string>
#include <vector>

namespace liveblog {

int backup_command(const std::vector<std::string>& args);

}  // namespace liveblog
