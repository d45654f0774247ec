#include "cli/backup_command.hpp"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "common/config.hpp"
#include "store/sqlite_maintenance.hpp"

namespace liveblog {

namespace fs = std::filesystem;

int backup_command(const std::vector<std::string>& args) {
    std::string output;
    std::vector<std::string> server_flags;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help") {
            std::cout << "usage: liveblog-server backup --output DIR [--config FILE | --data-dir DIR]\n"
                         "  Copies the SQLite store (consistent, while the server runs) and the signing secret\n"
                         "  into DIR, which must not exist yet.\n";
            return 0;
        }
        if (args[i] == "--output") {
            if (i + 1 >= args.size()) throw std::runtime_error("--output needs a directory");
            output = args[++i];
        } else {
            server_flags.push_back(args[i]);
        }
    }
    if (output.empty()) throw std::runtime_error("backup needs --output DIR (see backup --help)");
    Config config;
    parse_server_args(config, server_flags);
    if (!config.redis.empty())
        throw std::runtime_error("backup: cluster mode keeps its data in Redis; back it up with Redis's own tools "
                                 "(README \"Backup, restore and upgrade\")");
    if (config.store != "sqlite") throw std::runtime_error("backup: store " + config.store + " keeps nothing to back up");
    std::error_code ec;
    if (fs::exists(output, ec)) throw std::runtime_error("backup: " + output + " exists; name a new directory");
    fs::create_directories(output, ec);
    if (ec) throw std::runtime_error("backup: cannot create " + output + ": " + ec.message());
    fs::permissions(output, fs::perms::owner_all, ec);  // the secret is in it
    const fs::path db = fs::path(config.data_dir) / "liveblog.db";
    const auto bytes = sqlite_backup(db.string(), (fs::path(output) / "liveblog.db").string());
    const fs::path secret = config.secret_file.empty() ? fs::path(config.data_dir) / "secret" : fs::path(config.secret_file);
    bool secret_copied = false;
    if (fs::exists(secret, ec)) {
        fs::copy_file(secret, fs::path(output) / "secret", ec);
        if (ec) throw std::runtime_error("backup: cannot copy " + secret.string() + ": " + ec.message());
        secret_copied = true;
    }
    std::cout << "backup: " << db.string() << " -> " << (fs::path(output) / "liveblog.db").string() << " (" << bytes
              << " bytes, checked)" << (secret_copied ? ", secret copied" : ", no secret file (LIVEBLOG_SECRET?)")
              << std::endl;
    return 0;
}

}  // namespace liveblog
