#include "load_options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>

namespace liveblog::load {
namespace {

bool parse_u32(std::string_view v, std::uint32_t& out) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc{} && p == v.data() + v.size();
}

bool parse_double(std::string_view v, double& out) {
    try {
        std::size_t used = 0;
        const std::string s(v);
        out = std::stod(s, &used);
        return used == s.size() && std::isfinite(out);
    } catch (...) {
        return false;
    }
}

bool valid_slug(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

}  // namespace

sockaddr_in Endpoint::address() const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(ipv4);
    return a;
}

bool parse_endpoint(std::string_view url, std::string_view scheme, Endpoint& out, std::string& error) {
    const std::string prefix = std::string(scheme) + "://";
    const std::string secure = std::string(scheme) + "s://";
    out.tls = url.substr(0, secure.size()) == secure;
    if (!out.tls && url.substr(0, prefix.size()) != prefix) {
        error = "expected a " + prefix + " or " + secure + " URL: " + std::string(url);
        return false;
    }
    url.remove_prefix(out.tls ? secure.size() : prefix.size());
    const std::size_t slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    out.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    out.port = out.tls ? 443 : 80;
    const std::size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
        std::uint32_t port = 0;
        if (!parse_u32(authority.substr(colon + 1), port) || port == 0 || port > 65535) {
            error = "bad port in " + std::string(authority);
            return false;
        }
        out.port = static_cast<std::uint16_t>(port);
        authority = authority.substr(0, colon);
    }
    out.host = std::string(authority);
    const std::string numeric = authority == "localhost" ? "127.0.0.1" : out.host;
    in_addr a{};
    if (inet_pton(AF_INET, numeric.c_str(), &a) != 1) {
        error = "host must be an IPv4 address in 127.0.0.0/8 or localhost: " + out.host;
        return false;
    }
    out.ipv4 = ntohl(a.s_addr);
    if ((out.ipv4 >> 24) != 127) {
        error = "only loopback targets (127.0.0.0/8) are allowed: " + out.host;
        return false;
    }
    return true;
}

std::vector<std::string> LoadOptions::story_ids() const {
    std::vector<std::string> ids;
    if (target != Target::liveblog) return {""};
    const std::uint32_t n = std::max<std::uint32_t>(stories, 1);
    if (n == 1 && !story.empty()) return {story};
    const std::string prefix = story.empty() ? story_prefix : story;
    for (std::uint32_t i = 0; i < n; ++i) ids.push_back(prefix + "-" + std::to_string(i));
    return ids;
}

std::uint32_t LoadOptions::source_count() const {
    if (source_addresses) return source_addresses;
    return std::clamp<std::uint32_t>((readers + 7999) / 8000, 1, 250);
}

bool LoadOptions::publishes() const {
    return scenario == Scenario::fanout || scenario == Scenario::reconnect_storm || scenario == Scenario::ramp ||
           scenario == Scenario::many_stories;
}

const char* to_string(Scenario s) {
    switch (s) {
        case Scenario::fanout: return "fanout";
        case Scenario::idle: return "idle";
        case Scenario::connect_storm: return "connect-storm";
        case Scenario::reconnect_storm: return "reconnect-storm";
        case Scenario::ramp: return "ramp";
        case Scenario::many_stories: return "many-stories";
    }
    return "?";
}

const char* to_string(Target t) { return t == Target::liveblog ? "liveblog" : "generic"; }

std::string usage() {
    return R"USAGE(usage: liveblog-load --scenario S (--url URL --token T [--story ID | --stories N] | --ws URL [--pub-url URL]) [options]

Loopback load generator for WebSocket fan-out. Readers are spread over forked
subscriber processes (--per-process each) and source addresses 127.0.0.1..N.
Prints a table on stdout and one line "RESULT {json}"; progress on stderr.

scenarios (--scenario):
  fanout           N readers over S stories; R posts/s for D s, then a drain wait (default)
  many-stories     fanout with many stories (default --stories = readers / 10)
  idle             open N readers, wait --idle-s, report server RSS per reader (--server-pid)
  connect-storm    time to connect N readers
  reconnect-storm  (liveblog) publish; at --drop-at-s drop every reader at once; all resume
                   with since/epoch; time until all caught up, loss and duplicates
  ramp             raise the rate step by step (x --ramp-factor) until p99 > --p99-bound-ms

liveblog target:
  --url http://127.0.0.1:PORT   server (https:// for TLS: readers on wss://, posts over HTTPS)
  --token T                     Bearer token (editor/admin) for posting and creating stories
  --story ID                    one story (default "load-0"), or the prefix with --stories N
  --stories N                   N stories "<prefix>-0".."<prefix>-(N-1)" (--story-prefix, default "load")
  --no-create-stories           do not POST /api/stories first
  --deflate                     readers offer permessage-deflate (no context takeover); wire_bytes counts what they read
generic target (Nchan, Node ws, floor):
  --ws ws://127.0.0.1:PORT/path     readers' URL (wss:// for TLS)
  --pub-url http://127.0.0.1:PORT/path   POST target
  --body-template T             body; {marker} and {padding} are substituted (default "{marker} {padding}")
  --subscribe-message M         first text message each reader sends (default none)
  --content-type T              of the posts (default by template: application/json or text/plain)
readers:
  --readers N (1000)  --per-process N (15000)  --connect-concurrency N (500, over all processes)
  --source-addresses N (ceil(readers/8000))  --connect-timeout-s S (120)  --handshake-timeout-s S (15)
publishing:
  --rate R (10 posts/s)  --duration-s D (10)  --drain-s S (3)  --settle-s S (1)
  --entry-bytes B (200: marker, a space and padding)  --publishers N (4 keep-alive connections)
other:
  --idle-s S (5)  --drop-at-s S (duration/3)  --resume-timeout-s S (60: after the drain, wait for every reader to resume)
  --ramp-start R (10) --ramp-factor F (2) --ramp-max R (100000) --step-s S (5) --p99-bound-ms MS (100) --max-steps N (20)
  --server-pid PID   read the server's RSS and CPU from /proc
  --label NAME       names the run in the results
  --quiet            no progress on stderr
)USAGE";
}

ParsedOptions parse_options(const std::vector<std::string_view>& args) {
    ParsedOptions r;
    LoadOptions& o = r.options;
    std::string url, ws, pub;
    bool has_stories = false;
    auto bad = [&r](std::string message) {
        r.error = std::move(message);
        return r;
    };

    using Setter = std::function<bool(std::string_view)>;
    auto u32 = [](std::uint32_t& field) { return Setter([&field](std::string_view v) { return parse_u32(v, field); }); };
    auto dbl = [](double& field) { return Setter([&field](std::string_view v) { return parse_double(v, field); }); };
    auto str = [](std::string& field) { return Setter([&field](std::string_view v) { field = std::string(v); return true; }); };
    std::map<std::string, Setter, std::less<>> valued{
        {"--scenario", [&o](std::string_view v) {
             static const std::map<std::string_view, Scenario> names{
                 {"fanout", Scenario::fanout}, {"idle", Scenario::idle}, {"connect-storm", Scenario::connect_storm},
                 {"reconnect-storm", Scenario::reconnect_storm}, {"ramp", Scenario::ramp}, {"many-stories", Scenario::many_stories}};
             auto it = names.find(v);
             if (it == names.end()) return false;
             o.scenario = it->second;
             return true;
         }},
        {"--url", str(url)}, {"--ws", str(ws)}, {"--pub-url", str(pub)},
        {"--story", str(o.story)}, {"--stories", [&](std::string_view v) { has_stories = true; return parse_u32(v, o.stories); }},
        {"--story-prefix", str(o.story_prefix)}, {"--token", str(o.token)}, {"--label", str(o.label)},
        {"--body-template", str(o.body_template)}, {"--subscribe-message", str(o.subscribe_message)},
        {"--content-type", str(o.content_type)},
        {"--readers", u32(o.readers)}, {"--per-process", u32(o.per_process)},
        {"--connect-concurrency", u32(o.connect_concurrency)}, {"--source-addresses", u32(o.source_addresses)},
        {"--connect-timeout-s", dbl(o.connect_timeout_s)}, {"--handshake-timeout-s", dbl(o.handshake_timeout_s)},
        {"--rate", dbl(o.rate)}, {"--duration-s", dbl(o.duration_s)}, {"--drain-s", dbl(o.drain_s)},
        {"--settle-s", dbl(o.settle_s)}, {"--entry-bytes", u32(o.entry_bytes)}, {"--publishers", u32(o.publishers)},
        {"--idle-s", dbl(o.idle_s)}, {"--drop-at-s", dbl(o.drop_at_s)},
        {"--resume-timeout-s", dbl(o.resume_timeout_s)},
        {"--ramp-start", dbl(o.ramp_start)}, {"--ramp-factor", dbl(o.ramp_factor)}, {"--ramp-max", dbl(o.ramp_max)},
        {"--step-s", dbl(o.step_s)}, {"--p99-bound-ms", dbl(o.p99_bound_ms)}, {"--max-steps", u32(o.max_steps)},
        {"--server-pid", [&o](std::string_view v) {
             std::uint32_t pid = 0;
             if (!parse_u32(v, pid) || pid == 0 || pid > 0x3fffffff) return false;
             o.server_pid = static_cast<int>(pid);
             return true;
         }},
        {"--max-run-s", dbl(o.max_run_s)},
    };

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            r.help = true;
            return r;
        }
        if (a == "--quiet") { o.progress = false; continue; }
        if (a == "--no-create-stories") { o.create_stories = false; continue; }
        if (a == "--deflate") { o.deflate = true; continue; }
        std::string_view value;
        bool inline_value = false;
        if (const std::size_t eq = a.find('='); eq != std::string_view::npos && a.substr(0, 2) == "--") {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            inline_value = true;
        }
        auto it = valued.find(a);
        if (it == valued.end()) return bad("unknown option " + std::string(a));
        if (!inline_value) {
            if (i + 1 >= args.size()) return bad(std::string(a) + " needs a value");
            value = args[++i];
        }
        if (!it->second(value)) return bad("bad value for " + std::string(a) + ": " + std::string(value));
    }

    if (!url.empty() && !ws.empty()) return bad("--url (liveblog) and --ws (generic) exclude each other");
    if (url.empty() && ws.empty()) return bad("one of --url (liveblog) or --ws (generic) is required");
    std::string error;
    if (!url.empty()) {
        o.target = Target::liveblog;
        if (!parse_endpoint(url, "http", o.server, error)) return bad("--url: " + error);
        if (o.story.empty() && !has_stories) o.story = "load-0";
        if (o.scenario == Scenario::many_stories && !has_stories) o.stories = std::max<std::uint32_t>(1, o.readers / 10);
        if (o.stories == 0) o.stories = 1;
        if (o.stories > 100000) return bad("--stories: at most 100000");
        for (const auto& id : o.story_ids())
            if (!valid_slug(id)) return bad("story id must match [a-z0-9-]{1,64}: " + id);
        if (o.token.empty() && (o.publishes() || o.create_stories))
            return bad("--token is needed to post and to create stories (or --no-create-stories for idle/connect-storm)");
        if (!pub.empty() || o.body_template != "{marker} {padding}") return bad("--pub-url and --body-template are for --ws targets");
    } else {
        o.target = Target::generic;
        if (!parse_endpoint(ws, "ws", o.ws, error)) return bad("--ws: " + error);
        if (!pub.empty()) {
            if (!parse_endpoint(pub, "http", o.pub, error)) return bad("--pub-url: " + error);
            o.has_pub = true;
        }
        if (o.publishes() && !o.has_pub) return bad("--pub-url is needed to publish");
        if (o.scenario == Scenario::reconnect_storm) return bad("reconnect-storm needs a liveblog target (--url)");
        if (o.scenario == Scenario::many_stories) return bad("many-stories needs a liveblog target (--url)");
        if (has_stories && o.stories > 1) return bad("--stories is for liveblog targets");
        o.stories = 1;
        if (o.body_template.find("{marker}") == std::string::npos) return bad("--body-template must contain {marker}");
    }
    if (o.label.empty()) o.label = o.target == Target::liveblog ? "liveblog" : "generic";

    if (o.readers == 0 || o.readers > 2'000'000) return bad("--readers: 1 to 2,000,000");
    if (o.per_process == 0 || o.per_process > 19'000) return bad("--per-process: 1 to 19,000 (open-file limit)");
    if (o.processes() > 256) return bad("at most 256 subscriber processes");
    if (o.connect_concurrency == 0) return bad("--connect-concurrency: at least 1");
    if (o.source_addresses > 250) return bad("--source-addresses: at most 250");
    if (!(o.rate > 0 && o.rate <= 1e6)) return bad("--rate: above 0, at most 1e6");
    if (!(o.duration_s > 0 && o.duration_s <= 86400)) return bad("--duration-s: above 0, at most 86400");
    for (double v : {o.drain_s, o.settle_s, o.idle_s})
        if (!(v >= 0 && v <= 86400)) return bad("waits must be 0 to 86400 s");
    if (!(o.connect_timeout_s > 0) || !(o.handshake_timeout_s > 0) || !(o.resume_timeout_s >= 0 && o.resume_timeout_s <= 3600))
        return bad("timeouts must be positive (resume: 0 to 3600 s)");
    if (o.target == Target::liveblog && o.entry_bytes > 20000) return bad("--entry-bytes: at most 20000 (liveblog's text limit)");
    if (o.entry_bytes > (8u << 20)) return bad("--entry-bytes: at most 8 MiB");
    if (o.publishers == 0 || o.publishers > 256) return bad("--publishers: 1 to 256");
    if (o.drop_at_s < 0) o.drop_at_s = o.duration_s / 3;
    if (o.drop_at_s >= o.duration_s) return bad("--drop-at-s must fall inside --duration-s");
    if (!(o.ramp_start > 0) || !(o.ramp_factor > 1) || !(o.ramp_max >= o.ramp_start) || !(o.step_s > 0) ||
        !(o.p99_bound_ms > 0) || o.max_steps == 0 || o.max_steps > 100)
        return bad("ramp: start > 0, factor > 1, max >= start, step-s > 0, bound > 0, 1 to 100 steps");
    if (!(o.max_run_s > 0)) return bad("--max-run-s must be positive");
    return r;
}

}  // namespace liveblog::load
