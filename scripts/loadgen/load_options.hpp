#pragma once
// Command line of liveblog-load: which scenario, against what, how hard.
// Every address must be in 127.0.0.0/8: the tool is for loopback benchmarks only.

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace liveblog::load {

enum class Scenario { fanout, idle, connect_storm, reconnect_storm, ramp, many_stories };
enum class Target { liveblog, generic };

struct Endpoint {
    std::string host = "127.0.0.1";  // as written in the URL, for the Host header
    std::uint32_t ipv4 = 0;          // host byte order, inside 127.0.0.0/8
    std::uint16_t port = 0;
    std::string path = "/";          // path and query
    bool tls = false;                // https:// or wss://
    sockaddr_in address() const;
    std::string host_header() const { return host + ":" + std::to_string(port); }
};

// Parses scheme://host[:port][/path]; host is "localhost" or an IPv4 address in 127.0.0.0/8.
// `scheme` ("http" or "ws") or its TLS form ("https", "wss": tls set, default port 443).
bool parse_endpoint(std::string_view url, std::string_view scheme, Endpoint& out, std::string& error);

struct LoadOptions {
    Scenario scenario = Scenario::fanout;
    Target target = Target::liveblog;
    std::string label;  // names the run in the results (default: the target kind)

    // liveblog
    Endpoint server;                 // --url
    std::string story;               // --story: one story, or the prefix with --stories N > 1
    std::uint32_t stories = 0;       // --stories (0: 1, or readers / 10 for many-stories)
    std::string story_prefix = "load";
    std::string token;
    bool create_stories = true;
    bool deflate = false;  // readers offer permessage-deflate (RFC 7692)

    // generic (Nchan, Node ws, floor)
    Endpoint ws;                     // --ws
    Endpoint pub;                    // --pub-url
    bool has_pub = false;
    std::string body_template = "{marker} {padding}";
    std::string subscribe_message;
    std::string content_type;        // empty: application/json for a template starting with '{', else text/plain

    // readers
    std::uint32_t readers = 1000;
    std::uint32_t per_process = 15000;
    std::uint32_t connect_concurrency = 500;
    std::uint32_t source_addresses = 0;  // 0: ceil(readers / 8000)
    double connect_timeout_s = 120;
    double handshake_timeout_s = 15;

    // publishing
    double rate = 10;
    double duration_s = 10;
    double drain_s = 3;
    double settle_s = 1;
    std::uint32_t entry_bytes = 200;
    std::uint32_t publishers = 4;

    double idle_s = 5;       // idle: wait before reading the server's memory
    double drop_at_s = -1;   // reconnect-storm: when to drop (default duration / 3)
    double resume_timeout_s = 60;  // reconnect-storm: how long to wait for every reader to resume

    // ramp
    double ramp_start = 10;
    double ramp_factor = 2;
    double ramp_max = 100000;
    double step_s = 5;
    double p99_bound_ms = 100;
    std::uint32_t max_steps = 20;

    int server_pid = 0;
    bool progress = true;
    double max_run_s = 3600;  // hard bound on a child's life

    // Derived by parse_options.
    std::vector<std::string> story_ids() const;
    std::uint32_t processes() const { return (readers + per_process - 1) / per_process; }
    std::uint32_t source_count() const;
    bool publishes() const;
};

struct ParsedOptions {
    LoadOptions options;
    bool help = false;
    std::string error;  // non-empty: bad command line
};

ParsedOptions parse_options(const std::vector<std::string_view>& args);
std::string usage();
const char* to_string(Scenario s);
const char* to_string(Target t);

}  // namespace liveblog::load
