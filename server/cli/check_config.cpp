#include "cli/check_config.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli/install_paths.hpp"
#include "cli/open_store.hpp"
#include "common/log.hpp"
#include "embed/http_fetch.hpp"
#include "media/media_service.hpp"
#include "store/sqlite_maintenance.hpp"
#include "store/sqlite_store.hpp"
#include "tls/tls_context.hpp"

namespace liveblog {

namespace fs = std::filesystem;

namespace {

// A directory the server will write in: it exists and is writable, or it
// can be made (its nearest existing parent is writable).
void check_writable_dir(const char* key, const fs::path& dir) {
    std::error_code ec;
    fs::path probe = dir.empty() ? fs::path(".") : dir;
    if (fs::exists(probe, ec)) {
        if (!fs::is_directory(probe, ec)) throw std::runtime_error(std::string(key) + ": " + probe.string() + " is not a directory");
        if (::access(probe.c_str(), W_OK | X_OK) != 0)
            throw std::runtime_error(std::string(key) + ": " + probe.string() + " is not writable by this user");
        return;
    }
    fs::path parent = fs::absolute(probe, ec).parent_path();
    while (!parent.empty() && !fs::exists(parent, ec)) parent = parent.parent_path();
    if (parent.empty() || ::access(parent.c_str(), W_OK | X_OK) != 0)
        throw std::runtime_error(std::string(key) + ": " + probe.string() + " does not exist and cannot be created by this user");
}

}  // namespace

void apply_log_settings(const Config& config) {
    LogLevel level;
    if (!parse_log_level(config.log_level, level)) throw std::runtime_error("log_level: debug, info, warn or error");
    LogFormat format;
    if (!parse_log_format(config.log_format, format)) throw std::runtime_error("log_format: text or json");
    set_log_level(level);
    set_log_format(format);
    if (!config.log_file.empty()) open_log_file(config.log_file);
}

void check_tls_settings(const Config& config) {
    if (config.tls_cert.empty() != config.tls_key.empty())
        throw std::runtime_error("tls: tls_cert and tls_key go together (both PEM files)");
    if (!config.redirect_listen.empty() && config.tls_cert.empty())
        throw std::runtime_error("redirect_listen: redirects to https, so it needs tls_cert and tls_key");
    if (!config.tls_cert.empty()) TlsContext::server(config.tls_cert, config.tls_key);
}

std::vector<std::string> config_problems(Config config) {
    std::vector<std::string> problems;
    auto check = [&problems](auto&& fn) {
        try {
            fn();
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
    };
    check([&] {
        LogLevel level;
        if (!parse_log_level(config.log_level, level)) throw std::runtime_error("log_level: debug, info, warn or error");
        LogFormat format;
        if (!parse_log_format(config.log_format, format)) throw std::runtime_error("log_format: text or json");
        if (!config.log_file.empty()) check_writable_dir("log_file", fs::path(config.log_file).parent_path());
    });
    check([&] {
        if (config.static_dir.empty()) config.static_dir = default_static_dir().string();
        check_static_dir(config.static_dir);
    });
    check([&] { check_tls_settings(config); });
    check([&] {
        if (!config.redis.empty()) {
            redis_endpoint(config);  // the URL parses
            return;
        }
        if (config.store != "sqlite" && config.store != "memory")
            throw std::runtime_error("store: sqlite or memory, not '" + config.store + "'");
        if (config.store == "memory") return;
        check_writable_dir("data_dir", config.data_dir);
        const std::string db = (fs::path(config.data_dir) / "liveblog.db").string();
        if (auto version = sqlite_file_schema_version(db); version && *version > SqliteStore::schema_version)
            throw std::runtime_error("data_dir: " + db + " has schema version " + std::to_string(*version) +
                                     ", newer than this build understands (" +
                                     std::to_string(SqliteStore::schema_version) +
                                     "): it was written by a newer liveblog; restore a backup or upgrade");
    });
    check([&] {
        // Uploads go here in every mode (in cluster mode, a directory the nodes share).
        check_writable_dir("media_dir", media::media_root(config));
        if (config.max_upload_bytes == 0 || config.max_image_pixels == 0 || config.max_image_side == 0 ||
            config.max_image_frames == 0 || config.max_queued_media == 0 || config.media_threads == 0)
            throw std::runtime_error(
                "max_upload_bytes, max_image_pixels, max_image_side, max_image_frames, max_queued_media and "
                "media_threads must be positive");
        if (config.embed_fetch_timeout_s <= 0 || config.embed_threads == 0 || config.embed_fetch_max_bytes == 0)
            throw std::runtime_error("embed_fetch_timeout_s, embed_fetch_max_bytes and embed_threads must be positive");
        for (const auto& p : config.oembed_providers) {
            try {
                embed::origin_of(p.endpoint);
            } catch (const embed::FetchError& e) {
                throw std::runtime_error("oembed_providers: " + p.name + ": endpoint " + p.endpoint + ": " + e.what());
            }
        }
    });
    check([&] {
        if (config.threads > 1024) throw std::runtime_error("threads: at most 1024");
        if (config.read_threads == 0 || config.read_threads > 256) throw std::runtime_error("read_threads: 1 to 256");
        if (config.handshake_timeout_s <= 0 || config.idle_timeout_s <= 0)
            throw std::runtime_error("handshake_timeout_s and idle_timeout_s must be positive");
    });
    return problems;
}

int check_config_command(const std::vector<std::string>& args) {
    Config config;
    std::string source = "defaults and flags";
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--config") source = args[i + 1];
    try {
        if (!parse_server_args(config, args)) {
            std::cout << "usage: liveblog-server check-config --config FILE [flags]\n"
                         "  Validates the settings without starting: 0 when usable, 1 with one line per problem.\n";
            return 0;
        }
    } catch (const std::exception& e) {
        std::cerr << "config: " << e.what() << std::endl;
        return 1;
    }
    const auto problems = config_problems(config);
    if (!problems.empty()) {
        for (const auto& p : problems) std::cerr << "config: " << p << std::endl;
        std::cerr << "config: " << problems.size() << " problem(s) in " << source << std::endl;
        return 1;
    }
    std::cout << "config OK: " << source << " (listen " << config.listen_host << ":" << config.listen_port
              << (tls_enabled(config) ? " with TLS" : "") << ", store "
              << (config.redis.empty() ? config.store + (config.store == "sqlite" ? " in " + config.data_dir : "")
                                       : "redis")
              << ")" << std::endl;
    return 0;
}

}  // namespace liveblog
