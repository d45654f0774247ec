// liveblog-server: configuration -> store, hub, server; signals; nothing else.

#include <csignal>
#include <filesystem>
#include <cstdlib>
#include <functional>
#include <future>
#include <thread>
#include <iostream>

#include <boost/asio/signal_set.hpp>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/descriptors.hpp"
#include "common/error_code.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/process_metrics.hpp"
#include "common/version.hpp"
#include "common/secret.hpp"
#include "core/demo_story.hpp"
#include "core/desk_scheduler.hpp"
#include "core/hub.hpp"
#include "core/jwt.hpp"
#include "core/validation.hpp"
#include "redis/redis_feed.hpp"
#include "redis/redis_store.hpp"
#include "store/memory_store.hpp"
#include "store/sqlite_store.hpp"
#include "accounts/account_service.hpp"
#include "cli/install_paths.hpp"
#include "cli/open_store.hpp"
#include "cli/backup_command.hpp"
#include "cli/check_config.hpp"
#include "cli/usage.hpp"
#include "cli/user_command.hpp"
#include "embed/embed_service.hpp"
#include "media/directory_media_store.hpp"
#include "media/media_service.hpp"
#include "transport/server.hpp"

using namespace liveblog;

namespace {

// "12h", "30m", "3600s", "7d", "3600" -> seconds; at most 10 years.
std::int64_t parse_duration(const std::string& text) {
    const auto bad = [&text] {
        return std::runtime_error("--ttl: expected a positive whole number and s, m, h or d (e.g. 30m, 12h, 7d), got '" +
                                  text + "'");
    };
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) throw bad();
    const std::int64_t n = std::stoll(text.substr(0, digits));
    const std::string unit = text.substr(digits);
    const std::int64_t scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (scale == 0 || n <= 0) throw bad();
    constexpr std::int64_t ten_years = 10LL * 366 * 86400;
    if (n * scale > ten_years) throw std::runtime_error("--ttl: at most 10 years, got '" + text + "'");
    return n * scale;
}

int mint_token(const std::vector<std::string>& args) {
    Claims claims;
    std::string data_dir = "./data", secret_file, ttl = "12h";
    bool role_given = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help") {
            std::cout << server_usage();
            return 0;
        }
        if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
        const std::string& v = args[++i];
        if (a == "--sub") claims.sub = v;
        else if (a == "--role") {
            auto role = parse_role(v);
            if (!role) throw std::runtime_error("--role: contributor, editor or admin");
            claims.role = *role;
            role_given = true;
        } else if (a == "--story") {
            if (!is_valid_slug(v)) throw std::runtime_error("--story: '" + v + "' is not a story id ([a-z0-9-]{1,64})");
            if (!claims.stories) claims.stories.emplace();
            claims.stories->push_back(v);
        } else if (a == "--ttl") ttl = v;
        else if (a == "--data-dir") data_dir = v;
        else if (a == "--secret-file") secret_file = v;
        else if (a == "--config") {
            Config c;
            load_config_file(c, v);
            data_dir = c.data_dir;
            if (!c.secret_file.empty()) secret_file = c.secret_file;
        } else throw std::runtime_error("unknown flag '" + a + "' (see --help)");
    }
    if (claims.sub.empty() || !role_given) throw std::runtime_error("token needs --sub NAME and --role contributor|editor|admin");
    if (!is_valid_author_name(claims.sub))
        throw std::runtime_error("--sub: a name of at most 500 bytes without control characters (it signs entries)");
    std::int64_t now = now_millis() / 1000;
    claims.exp = now + parse_duration(ttl);
    std::cout << sign_token(claims, resolve_secret(secret_file, data_dir), now) << std::endl;
    return 0;
}

// Cluster mode starts with Redis reachable: a node that cannot read the
// stories cannot serve. It waits up to 30 s (Redis may be starting too).
void load_stories_waiting(Hub& hub, const Config& config) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config.redis.empty() ? 0 : 30);
    for (;;) {
        try {
            hub.load_stories();
            return;
        } catch (const StoreFailure& e) {
            if (std::chrono::steady_clock::now() >= deadline) throw;
            log_warn("store: ", e.what(), "; retrying");
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
    }
}

// On the very first start, the demo story, written through the same path as an editor's commands.
void create_demo_story(Hub& hub) {
    for (auto& command : demo_story_commands()) {
        std::promise<CommandResult> done;
        auto result = done.get_future();
        hub.submit(std::move(command), [&done](const CommandResult& r) { done.set_value(r); });
        auto r = result.get();
        // In cluster mode another node may be creating it at the same time:
        // its entries carry idempotency keys, so both end with one story.
        if (r.code == ErrorCode::story_exists) continue;
        if (!r.ok()) throw std::runtime_error("demo story: " + r.message);
    }
    log_info("created the demo story");
}

int serve(const std::vector<std::string>& args) {
    Config config;
    if (!parse_server_args(config, args)) {
        std::cout << server_usage();
        return 0;
    }
    apply_log_settings(config);
    log_info(server_version_line());

    if (config.static_dir.empty()) config.static_dir = default_static_dir().string();
    check_static_dir(config.static_dir);
    check_tls_settings(config);
    log_info("static files from ", config.static_dir);

    const std::size_t open_files = raise_open_files_limit();
    if (config.max_connections == 0)
        config.max_connections = open_files > 2 * reserved_descriptors ? open_files - reserved_descriptors
                                                                       : open_files / 2;
    log_info("open files limit ", open_files, ", max_connections ", config.max_connections);

    std::string secret = resolve_secret(config.secret_file, config.data_dir);
    auto store = open_store(config);
    HubConfig hub_config;
    hub_config.ring_capacity = config.ring_capacity;
    hub_config.ring_max_bytes = config.ring_max_bytes;
    hub_config.max_replay = config.max_replay;
    hub_config.snapshot_entries = config.snapshot_entries;
    hub_config.max_catch_up_bytes = std::max<std::size_t>(1, config.max_queue_bytes / 2);
    hub_config.max_stories = config.max_stories;
    hub_config.read_threads = std::max<std::size_t>(1, config.read_threads);
    hub_config.max_queued_reads = config.max_queued_reads;
    MetricsRegistry metrics;
    register_process_metrics(metrics, liveblog_version(), liveblog_commit());
    Hub hub(*store, hub_config, metrics);
    accounts::AccountSettings account_settings;
    account_settings.session_idle_ms = static_cast<Millis>(config.session_idle_timeout_s * 1000);
    account_settings.session_max_age_ms = static_cast<Millis>(config.session_max_age_s * 1000);
    account_settings.login_failures_per_account = config.login_failures_per_account;
    account_settings.login_attempts_per_address = config.login_attempts_per_address;
    account_settings.login_window_s = config.login_window_s;
    accounts::AccountService accounts(hub, account_settings);
    media::MediaService media(config, std::make_unique<media::DirectoryMediaStore>(media::media_root(config)), metrics);
    embed::EmbedService embeds(config, media, metrics);
    Server server(config, hub, accounts, secret, metrics, media, embeds);
    hub.attach_shards(server.shards());
    std::unique_ptr<RedisFeed> feed;
    if (!config.redis.empty()) {
        RedisFeed::Options o;
        o.prefix = config.redis_prefix;
        o.timeout = millis(config.redis_timeout_s);
        o.presence_interval = millis(config.presence_interval_s);
        feed = std::make_unique<RedisFeed>(redis_endpoint(config), static_cast<RedisStore&>(*store), o);
        hub.attach_feed(feed.get());
    }
    load_stories_waiting(hub, config);
    if (feed) feed->start(hub);
    if (config.demo && store->stories().empty()) create_demo_story(hub);

    // Scheduled entries: every node runs one (the store makes it exactly once).
    DeskScheduler scheduler(hub, std::chrono::milliseconds(250), [&accounts](const CommandResult& r) {
        accounts.audit_system("entry.published", r.event->story + "/" + r.entry_id,
                              {{"from", "schedule"}, {"seq", r.seq}});
    });
    scheduler.start();

    server.start();
    auto ep = server.endpoint();
    // Tests and scripts wait for this line: it is printed once the port accepts connections.
    std::cout << "liveblog listening on " << (server.tls() ? "https://" : "http://");
    if (ep.address().is_v6())
        std::cout << '[' << ep.address().to_string() << ']';
    else
        std::cout << ep.address().to_string();
    std::cout << ":" << ep.port() << std::endl;
    if (feed)
        log_info("cluster mode: Redis ", config.redis_prefix, " at ", redis_endpoint(config).host, ", node ",
                 feed->node_id(), ", ", server.shards().size(), " I/O thread(s)");
    else
        log_info("store ", config.store, config.store == "sqlite" ? " in " + config.data_dir : std::string(),
                 ", ", server.shards().size(), " I/O thread(s)");

    if (server.tls()) log_info("TLS: ", server.tls_description());
    if (auto redirect = server.redirect_endpoint())
        log_info("redirecting plain HTTP on ", redirect->address().to_string(), ":", redirect->port(), " to https");

    // SIGHUP: the TLS pair and the log file again (certbot renewed, logrotate
    // moved the file), nothing else; SIGINT/SIGTERM: a clean stop.
    net::io_context signals_ioc;
    net::signal_set stop_signals(signals_ioc, SIGINT, SIGTERM);
    net::signal_set hangup(signals_ioc, SIGHUP);
    stop_signals.async_wait([&](error_code, int sig) {
        log_info("signal ", sig, ": shutting down");
        hangup.cancel();
    });
    std::function<void()> wait_hangup = [&] {
        hangup.async_wait([&](error_code ec, int) {
            if (ec) return;
            if (!reopen_log_file()) log_error("SIGHUP: cannot reopen ", config.log_file, "; logging to the old file");
            std::string error;
            if (server.tls()) {
                if (server.reload_tls(error)) log_info("SIGHUP: TLS certificate reloaded: ", server.tls_description());
                else log_error("SIGHUP: ", error, "; the previous certificate stays in use");
            } else {
                log_info("SIGHUP: log reopened");
            }
            wait_hangup();
        });
    };
    wait_hangup();
    signals_ioc.run();

    scheduler.stop();
    server.shutdown();
    embeds.stop();  // captures in flight finish (each is bounded by embed_fetch_timeout_s)
    media.stop();
    accounts.stop();
    hub.stop();
    if (feed) feed->stop();
    log_info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (!args.empty() && (args[0] == "--version" || args[0] == "-V")) {
            std::cout << server_version_line() << std::endl;
            return 0;
        }
        if (!args.empty() && args[0] == "--man") {
            std::cout << server_manpage();
            return 0;
        }
        if (!args.empty() && args[0] == "check-config") return check_config_command({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "backup") return backup_command({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "token") return mint_token({args.begin() + 1, args.end()});
        if (!args.empty() && args[0] == "user") return user_command({args.begin() + 1, args.end()});
        return serve(args);
    } catch (const std::exception& e) {
        std::cerr << "liveblog-server: " << e.what() << std::endl;
        return 2;
    } catch (const Error& e) {
        std::cerr << "liveblog-server: " << e.message << std::endl;
        return 2;
    }
}
