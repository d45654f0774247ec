#pragma once
// Server settings: defaults, then the JSON config file (--config), then
// command-line flags; each later source wins. README.md lists every key.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace liveblog {

// An oEmbed provider (README "Media and embeds"): posts whose URL matches one
// of `schemes` (`*` matches any run of characters) are resolved through
// `endpoint`. Instagram's needs an access token; a provider without the
// token it needs is skipped.
struct OembedProvider {
    std::string name;
    std::string endpoint;
    std::vector<std::string> schemes;
    std::string access_token;  // sent as access_token=… when set
    bool needs_token = false;
};

// X, YouTube, Bluesky, Mastodon (mastodon.social), TikTok and Instagram.
std::vector<OembedProvider> default_oembed_providers();

struct Config {
    std::string listen_host = "127.0.0.1";
    unsigned short listen_port = 8080;
    std::string data_dir = "./data";
    std::string store = "sqlite";       // sqlite | memory
    std::size_t threads = 0;            // 0: one per core
    std::string secret_file;            // else LIVEBLOG_SECRET, else <data_dir>/secret
    std::string log_level = "info";
    std::string log_format = "text";    // text | json (one JSON object per line)
    std::string log_file;               // empty: stderr; reopened on SIGHUP (logrotate)
    bool demo = true;                   // create the demo story when the store is empty

    // Bounds (ARCHITECTURE.md "Bounded everything").
    std::size_t max_queue_bytes = 1 << 20;          // per connection, outbound
    std::size_t max_reader_message_bytes = 16 << 10;
    std::size_t max_admin_message_bytes = 1 << 20;
    std::size_t max_subscriptions = 20;             // per connection
    std::size_t max_connections_per_ip = 10000;
    std::size_t max_connections = 0;                // all connections; 0: the descriptor limit less a reserve
    std::size_t max_request_body_bytes = 1 << 20;   // HTTP request body (REST writes)
    std::size_t max_stories = 10000;                // create_story past it: too_many_stories
    double handshake_timeout_s = 10;
    double idle_timeout_s = 60;                     // pings at half of it; no answer: closed
    double auth_timeout_s = 10;                     // admin: time to send `auth`
    double reader_messages_per_s = 20, reader_burst = 40;
    double admin_messages_per_s = 200, admin_burst = 500;

    // History and snapshots.
    std::size_t ring_capacity = 1024;
    std::size_t ring_max_bytes = 8 << 20;           // per story: the ring also drops its oldest past this
    std::size_t read_threads = 2;                   // store reads (snapshots, pages, replays) run on these
    std::size_t max_queued_reads = 4096;            // past it a read is refused: overloaded (503)
    std::size_t max_replay = 500;
    std::size_t snapshot_entries = 20;
    double presence_interval_s = 2;

    // TLS (README "Install and operate"): both set, the listen port speaks
    // HTTPS and WSS only; SIGHUP reloads them.
    std::string tls_cert;                           // PEM: the certificate, then its chain
    std::string tls_key;                            // PEM: the private key
    std::string redirect_listen;                    // HOST:PORT answering plain HTTP with a redirect to https
    unsigned short redirect_port = 0;               // (parsed from redirect_listen)
    std::string redirect_host;

    // HTTP.
    std::string static_dir;                         // served under /static/ (and /editor); empty: from the install
    bool compression = true;                        // gzip and brotli answers (Accept-Encoding)
    std::size_t read_cache_bytes = 64 << 20;        // rendered pages and API pages kept, compressed forms included
    bool ws_deflate = true;                         // permessage-deflate for readers that offer it
    double cache_max_age_s = 2;                     // Cache-Control max-age of cacheable GETs
    std::vector<std::string> cors_origins;          // allowed Origins for the read API; "*" for any
    bool access_log = false;                        // one log line per HTTP request
    double sse_heartbeat_s = 15;
    std::size_t max_page_entries = 100;             // cap of ?limit= on entry pages
    std::string public_url;                         // "https://live.example": absolute URLs in feeds and oEmbed; empty: from Host

    // Cluster mode (README "Cluster mode"): empty redis = single node.
    std::string redis;                              // redis://[[user]:password@]host[:port][/db]
    std::string redis_password;                     // else in the URL, else LIVEBLOG_REDIS_PASSWORD
    std::string redis_prefix = "liveblog:";         // every key and channel starts with it
    std::size_t redis_stream_retention = 10000;     // events kept per story stream (MAXLEN ~)
    double redis_idempotency_ttl_s = 86400;         // how long an idempotency key is remembered
    double redis_timeout_s = 2;                     // per Redis call
    bool reuse_port = false;                        // SO_REUSEPORT: several nodes on one port
    // Accounts (README "Accounts and sign-in").
    double session_idle_timeout_s = 8 * 3600;       // a session unused this long ends
    double session_max_age_s = 7 * 86400;           // and every session ends this long after sign-in
    bool cookie_secure = false;                     // Secure cookies even without TLS or X-Forwarded-Proto: https
    double credential_recheck_s = 5;                // open /admin/ws connections re-check their credential
    double login_failures_per_account = 5;          // failed sign-ins per account per login_window_s
    double login_attempts_per_address = 20;         // sign-in attempts per client address per login_window_s
    double login_window_s = 900;

    // Media and embeds (README "Media and embeds").
    std::string media_dir;                          // uploaded images; empty: <data_dir>/media
    std::size_t max_upload_bytes = 20 << 20;        // a POST /api/media body
    std::size_t max_image_pixels = 60'000'000;      // width x height, checked on the header
    std::size_t max_image_side = 16384;
    std::size_t max_image_frames = 100;             // animated GIF / WebP pages
    std::size_t media_threads = 1;                  // image decoding and encoding run on these
    std::size_t max_queued_media = 16;              // uploads being received or waiting; past it: overloaded
    double upload_timeout_s = 120;                  // to receive one upload's body
    std::size_t media_cache_bytes = 64 << 20;       // stored image files kept in memory for GET /media/
    std::vector<OembedProvider> oembed_providers = default_oembed_providers();
    double embed_fetch_timeout_s = 5;               // everything an embed capture fetches, together
    std::size_t embed_fetch_max_bytes = 1 << 20;    // an oEmbed answer
    bool embed_fetch_allow_private = false;         // let fetches reach loopback and private addresses
    std::size_t embed_threads = 2;                  // embed captures run on these
};

// Throws std::runtime_error with a message naming the key or flag.
void load_config_file(Config& config, const std::string& path);
// Parses flags after the program name (and after a subcommand, if any);
// --config is applied first wherever it appears. Returns false if --help was asked.
bool parse_server_args(Config& config, const std::vector<std::string>& args);
// Every option as (flag, help), in the order --help lists them.
struct OptionHelp {
    std::string flag;  // "--max-queue-bytes"
    std::string help;
};
std::vector<OptionHelp> server_options();
bool tls_enabled(const Config& config);

}  // namespace liveblog
