#include "common/config.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace liveblog {

namespace {

// "HOST:PORT", "[::1]:PORT" or ":PORT" (all addresses).
void parse_host_port(const char* key, const std::string& value, std::string& host_out, unsigned short& port_out) {
    auto colon = value.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error(std::string(key) + ": expected HOST:PORT, got '" + value + "'");
    std::string host = value.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string digits = value.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(digits) > 65535)
        throw std::runtime_error(std::string(key) + ": bad port in '" + value + "'");
    host_out = host.empty() ? "0.0.0.0" : host;
    port_out = static_cast<unsigned short>(std::stoul(digits));
}

void parse_listen(Config& c, const std::string& value) { parse_host_port("listen", value, c.listen_host, c.listen_port); }

// One table of settings shared by the config file and the flags: a key
// `max_queue_bytes` is also the flag `--max-queue-bytes`.
struct Setting {
    const char* key;
    void (*set)(Config&, const nlohmann::json&);
    const char* help;
};

template <class T>
T as(const nlohmann::json& v, const char* key) {
    try {
        return v.get<T>();
    } catch (const std::exception&) {
        throw std::runtime_error(std::string(key) + ": wrong type");
    }
}

std::vector<OembedProvider> parse_oembed_providers(const nlohmann::json& v) {
    const char* key = "oembed_providers";
    if (!v.is_array()) throw std::runtime_error(std::string(key) + ": an array of {name, endpoint, schemes}");
    std::vector<OembedProvider> out;
    for (const auto& p : v) {
        if (!p.is_object()) throw std::runtime_error(std::string(key) + ": each provider is an object");
        OembedProvider o;
        for (auto& [name, value] : p.items()) {
            if (name == "name") o.name = as<std::string>(value, key);
            else if (name == "endpoint") o.endpoint = as<std::string>(value, key);
            else if (name == "schemes") o.schemes = as<std::vector<std::string>>(value, key);
            else if (name == "access_token") o.access_token = as<std::string>(value, key);
            else if (name == "needs_token") o.needs_token = as<bool>(value, key);
            else throw std::runtime_error(std::string(key) + ": unknown field '" + name + "'");
        }
        if (o.name.empty() || o.schemes.empty() ||
            (o.endpoint.rfind("http://", 0) != 0 && o.endpoint.rfind("https://", 0) != 0))
            throw std::runtime_error(std::string(key) + ": each provider needs a name, an http(s) endpoint and schemes");
        out.push_back(std::move(o));
    }
    return out;
}

#define LB_STR(field) [](Config& c, const nlohmann::json& v) { c.field = as<std::string>(v, #field); }
#define LB_NUM(field) [](Config& c, const nlohmann::json& v) { c.field = as<decltype(c.field)>(v, #field); }
#define LB_BOOL(field) [](Config& c, const nlohmann::json& v) { c.field = as<bool>(v, #field); }

const Setting settings[] = {
    {"listen", [](Config& c, const nlohmann::json& v) { parse_listen(c, as<std::string>(v, "listen")); },
     "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks a free one)"},
    {"data_dir", LB_STR(data_dir), "directory for the SQLite file and the secret (default ./data)"},
    {"store", LB_STR(store), "sqlite (default) or memory (nothing survives a restart)"},
    {"threads", LB_NUM(threads), "I/O threads (default: one per core)"},
    {"secret_file", LB_STR(secret_file), "file holding the token signing secret"},
    {"log_level", LB_STR(log_level), "debug, info, warn or error (default info)"},
    {"log_format", LB_STR(log_format), "text (default) or json: one JSON object per line"},
    {"log_file", LB_STR(log_file), "append the log to this file, reopened on SIGHUP (default: standard error)"},
    {"tls_cert", LB_STR(tls_cert), "PEM certificate chain: with tls_key, the port serves HTTPS and WSS (reloaded on SIGHUP)"},
    {"tls_key", LB_STR(tls_key), "PEM private key of tls_cert"},
    {"redirect_listen",
     [](Config& c, const nlohmann::json& v) {
         c.redirect_listen = as<std::string>(v, "redirect_listen");
         if (c.redirect_listen.empty()) c.redirect_port = 0;
         else parse_host_port("redirect_listen", c.redirect_listen, c.redirect_host, c.redirect_port);
     },
     "HOST:PORT of a plain-HTTP listener that redirects every request to https (with TLS; default off)"},
    {"demo", LB_BOOL(demo), "create the demo story on first start (default true)"},
    {"max_queue_bytes", LB_NUM(max_queue_bytes), "outbound queue per connection (default 1048576)"},
    {"max_reader_message_bytes", LB_NUM(max_reader_message_bytes), "largest reader message (default 16384)"},
    {"max_admin_message_bytes", LB_NUM(max_admin_message_bytes), "largest editor message (default 1048576)"},
    {"max_subscriptions", LB_NUM(max_subscriptions), "stories per reader connection (default 20)"},
    {"max_connections_per_ip", LB_NUM(max_connections_per_ip), "open connections per client IP (default 10000)"},
    {"max_connections", LB_NUM(max_connections), "open connections in all (default 0: the open-files limit less 64)"},
    {"max_request_body_bytes", LB_NUM(max_request_body_bytes), "largest HTTP request body (default 1048576)"},
    {"max_stories", LB_NUM(max_stories), "stories the server holds; create_story past it is refused (default 10000)"},
    {"handshake_timeout_s", LB_NUM(handshake_timeout_s), "seconds to complete an HTTP request/upgrade (default 10)"},
    {"idle_timeout_s", LB_NUM(idle_timeout_s), "seconds of silence before a WebSocket is closed (default 60)"},
    {"auth_timeout_s", LB_NUM(auth_timeout_s), "seconds for an editor to authenticate (default 10)"},
    {"reader_messages_per_s", LB_NUM(reader_messages_per_s), "reader message rate (default 20)"},
    {"reader_burst", LB_NUM(reader_burst), "reader message burst (default 40)"},
    {"admin_messages_per_s", LB_NUM(admin_messages_per_s), "editor message rate (default 200)"},
    {"admin_burst", LB_NUM(admin_burst), "editor message burst (default 500)"},
    {"ring_capacity", LB_NUM(ring_capacity), "events per story kept in memory for resume (default 1024)"},
    {"ring_max_bytes", LB_NUM(ring_max_bytes), "bytes of events per story kept in memory for resume (default 8388608)"},
    {"read_threads", LB_NUM(read_threads), "threads reading the store for snapshots, pages and replays (default 2)"},
    {"max_queued_reads", LB_NUM(max_queued_reads), "store reads waiting before new ones are refused (default 4096)"},
    {"max_replay", LB_NUM(max_replay), "changed entries a resume may replay before a snapshot is sent instead (default 500)"},
    {"snapshot_entries", LB_NUM(snapshot_entries), "entries in a snapshot (default 20)"},
    {"presence_interval_s", LB_NUM(presence_interval_s), "seconds between viewer-count updates (default 2)"},
    {"redis", LB_STR(redis), "redis://[[user]:password@]host[:port][/db]: cluster mode on this Redis (default: off)"},
    {"redis_password", LB_STR(redis_password), "Redis password (else in the URL or LIVEBLOG_REDIS_PASSWORD)"},
    {"redis_prefix", LB_STR(redis_prefix), "prefix of every Redis key and channel (default liveblog:)"},
    {"redis_stream_retention", LB_NUM(redis_stream_retention), "events kept per story stream in Redis (default 10000)"},
    {"redis_idempotency_ttl_s", LB_NUM(redis_idempotency_ttl_s), "seconds an idempotency key is remembered in Redis (default 86400)"},
    {"redis_timeout_s", LB_NUM(redis_timeout_s), "timeout of one Redis call (default 2)"},
    {"reuse_port", LB_BOOL(reuse_port), "SO_REUSEPORT: several nodes on one host share the port (default false)"},
    {"session_idle_timeout_s", LB_NUM(session_idle_timeout_s), "seconds of disuse after which a console session ends (default 28800)"},
    {"session_max_age_s", LB_NUM(session_max_age_s), "seconds after sign-in at which every session ends (default 604800)"},
    {"cookie_secure", LB_BOOL(cookie_secure), "mark the session cookie Secure even on plain HTTP (default false; always over HTTPS)"},
    {"credential_recheck_s", LB_NUM(credential_recheck_s), "seconds between re-checks of an open editor connection's session or API token (default 5)"},
    {"login_failures_per_account", LB_NUM(login_failures_per_account), "failed sign-ins per account per login window (default 5)"},
    {"login_attempts_per_address", LB_NUM(login_attempts_per_address), "sign-in attempts per client address per login window (default 20)"},
    {"login_window_s", LB_NUM(login_window_s), "seconds of the sign-in throttle's window (default 900)"},
    {"static_dir", LB_STR(static_dir), "directory of the client files served under /static/ (default: beside the executable: ../share/liveblog/client, or the checkout's client-demo)"},
    {"compression", LB_BOOL(compression), "gzip and brotli answers by Accept-Encoding (default true)"},
    {"read_cache_bytes", LB_NUM(read_cache_bytes), "bytes of rendered pages and API pages kept between story changes (default 67108864)"},
    {"ws_deflate", LB_BOOL(ws_deflate), "permessage-deflate (RFC 7692) for readers' WebSockets that offer it (default true)"},
    {"cache_max_age_s", LB_NUM(cache_max_age_s), "Cache-Control max-age of cacheable GETs (default 2)"},
    {"cors_origins",
     [](Config& c, const nlohmann::json& v) {
         c.cors_origins.clear();
         if (v.is_string()) {  // a flag: comma-separated
             std::string s = v.get<std::string>();
             for (std::size_t start = 0; start <= s.size();) {
                 auto comma = s.find(',', start);
                 if (comma == std::string::npos) comma = s.size();
                 if (comma > start) c.cors_origins.push_back(s.substr(start, comma - start));
                 start = comma + 1;
             }
         } else {
             c.cors_origins = as<std::vector<std::string>>(v, "cors_origins");
         }
     },
     "origins allowed to call the read API from browsers, comma-separated, or * (default none)"},
    {"access_log", LB_BOOL(access_log), "log one line per HTTP request (default false)"},
    {"sse_heartbeat_s", LB_NUM(sse_heartbeat_s), "seconds between SSE heartbeat comments (default 15)"},
    {"max_page_entries", LB_NUM(max_page_entries), "largest ?limit= of an entries page (default 100)"},
    {"public_url", LB_STR(public_url), "the server's public origin, https://live.example: absolute URLs in feeds and oEmbed (default: from each request's Host)"},
    {"media_dir", LB_STR(media_dir), "directory of uploaded images (default <data_dir>/media; in cluster mode a directory every node shares)"},
    {"max_upload_bytes", LB_NUM(max_upload_bytes), "largest image upload, POST /api/media (default 20971520)"},
    {"max_image_pixels", LB_NUM(max_image_pixels), "largest image upload in pixels, width x height (default 60000000)"},
    {"max_image_side", LB_NUM(max_image_side), "largest image width or height in pixels (default 16384)"},
    {"max_image_frames", LB_NUM(max_image_frames), "most frames of an animated upload (default 100)"},
    {"upload_timeout_s", LB_NUM(upload_timeout_s), "seconds to receive one image upload (default 120)"},
    {"media_cache_bytes", LB_NUM(media_cache_bytes), "bytes of stored image files kept in memory for GET /media/ (default 67108864)"},
    {"media_threads", LB_NUM(media_threads), "threads decoding and encoding uploads (default 1)"},
    {"max_queued_media", LB_NUM(max_queued_media), "uploads received or waiting at once; past it: overloaded (default 16)"},
    {"oembed_providers",
     [](Config& c, const nlohmann::json& v) { c.oembed_providers = parse_oembed_providers(v); },
     "embed card providers, a JSON array of {name, endpoint, schemes, access_token?} (default: X, YouTube, Bluesky, Mastodon, TikTok, Instagram)"},
    {"embed_fetch_timeout_s", LB_NUM(embed_fetch_timeout_s), "seconds an embed capture may take, every fetch together (default 5)"},
    {"embed_fetch_max_bytes", LB_NUM(embed_fetch_max_bytes), "largest oEmbed answer (default 1048576)"},
    {"embed_fetch_allow_private", LB_BOOL(embed_fetch_allow_private), "let embed fetches reach loopback and private addresses (default false)"},
    {"embed_threads", LB_NUM(embed_threads), "threads fetching embed cards (default 2)"},
};

#undef LB_STR
#undef LB_NUM
#undef LB_BOOL

const Setting* find_setting(const std::string& key) {
    for (const auto& s : settings)
        if (key == s.key) return &s;
    return nullptr;
}

std::string flag_to_key(std::string flag) {
    flag = flag.substr(2);
    for (char& ch : flag)
        if (ch == '-') ch = '_';
    return flag;
}

// A flag value as JSON: numbers and booleans by their settings' types.
nlohmann::json flag_value(const std::string& key, const std::string& text) {
    if (key == "listen" || key == "data_dir" || key == "store" || key == "secret_file" || key == "log_level" ||
        key == "log_format" || key == "log_file" || key == "tls_cert" || key == "tls_key" || key == "redirect_listen" ||
        key == "static_dir" || key == "cors_origins" || key == "redis" || key == "redis_password" ||
        key == "redis_prefix" || key == "media_dir" || key == "public_url")
        return text;
    if (key == "oembed_providers") {
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded()) throw std::runtime_error("--oembed-providers: expected a JSON array");
        return j;
    }
    if (text == "true" || text == "false") return text == "true";
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_number()) throw std::runtime_error("--" + key + ": expected a number, got '" + text + "'");
    return j;
}

}  // namespace

std::vector<OembedProvider> default_oembed_providers() {
    return {
        {"X", "https://publish.twitter.com/oembed",
         {"https://twitter.com/*/status/*", "https://x.com/*/status/*", "https://mobile.twitter.com/*/status/*"}, "",
         false},
        {"YouTube", "https://www.youtube.com/oembed",
         {"https://www.youtube.com/watch*", "https://m.youtube.com/watch*", "https://youtu.be/*",
          "https://www.youtube.com/shorts/*"},
         "", false},
        {"Bluesky", "https://embed.bsky.app/oembed", {"https://bsky.app/profile/*/post/*"}, "", false},
        {"Mastodon", "https://mastodon.social/api/oembed", {"https://mastodon.social/@*/*"}, "", false},
        {"TikTok", "https://www.tiktok.com/oembed", {"https://www.tiktok.com/@*/video/*"}, "", false},
        {"Instagram", "https://graph.facebook.com/v18.0/instagram_oembed",
         {"https://www.instagram.com/p/*", "https://www.instagram.com/reel/*"}, "", true},
    };
}

void load_config_file(Config& config, const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("config: cannot read " + path);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw std::runtime_error("config: " + path + " is not a JSON object");
    for (auto& [key, value] : j.items()) {
        const Setting* s = find_setting(key);
        if (!s) throw std::runtime_error("config: unknown key '" + key + "' in " + path);
        s->set(config, value);
    }
}

bool parse_server_args(Config& config, const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") return false;
        if (args[i] == "--config") {
            if (i + 1 >= args.size()) throw std::runtime_error("--config needs a file");
            load_config_file(config, args[i + 1]);
        }
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0) throw std::runtime_error("unexpected argument '" + a + "'");
        std::string key = flag_to_key(a);
        if (key == "config") {
            ++i;
            continue;
        }
        if (key == "no_demo") {
            config.demo = false;
            continue;
        }
        const Setting* s = find_setting(key);
        if (!s) throw std::runtime_error("unknown flag '" + a + "' (see --help)");
        // A flag with no value ("--reuse-port") means true: right for the
        // switches, and any other setting refuses "true" with a clear message.
        if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
            s->set(config, flag_value(key, "true"));
            continue;
        }
        s->set(config, flag_value(key, args[++i]));
    }
    return true;
}

std::vector<OptionHelp> server_options() {
    std::vector<OptionHelp> out;
    for (const auto& s : settings) {
        std::string flag = std::string("--") + s.key;
        for (char& ch : flag)
            if (ch == '_') ch = '-';
        out.push_back({flag, s.help});
    }
    out.push_back({"--no-demo", "same as --demo false"});
    out.push_back({"--config FILE", "JSON file of settings (flags win)"});
    return out;
}

bool tls_enabled(const Config& config) { return !config.tls_cert.empty() || !config.tls_key.empty(); }

}  // namespace liveblog
