#include "result.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace liveblog::load {
namespace {

using nlohmann::json;

json to_json(const LatencySummary& s) {
    return {{"count", s.count}, {"p50", s.p50}, {"p90", s.p90}, {"p99", s.p99}, {"p99_9", s.p999},
            {"max", s.max}, {"mean", s.mean}};
}

double round3(double v) { return static_cast<double>(static_cast<long long>(v * 1000 + (v >= 0 ? 0.5 : -0.5))) / 1000; }

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string ms(std::uint64_t us) { return fmt("%.2f", static_cast<double>(us) / 1000.0); }

std::string latency_row(const char* name, const LatencySummary& s) {
    std::string row = name;
    row.resize(14, ' ');
    if (s.count == 0) return row + "(none)\n";
    return row + "p50 " + ms(s.p50) + "  p90 " + ms(s.p90) + "  p99 " + ms(s.p99) + "  p99.9 " + ms(s.p999) +
           "  max " + ms(s.max) + " ms  (n=" + std::to_string(s.count) + ")\n";
}

std::string counts(const std::map<std::string, std::uint64_t>& m) {
    if (m.empty()) return "none";
    std::string out;
    for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k + ": " + std::to_string(v);
    return out;
}

std::string mib(std::uint64_t kib) { return fmt("%.1f MiB", static_cast<double>(kib) / 1024.0); }

}  // namespace

LatencySummary LatencySummary::of(const Histogram& h) {
    return {h.count(), h.percentile(50), h.percentile(90), h.percentile(99), h.percentile(99.9), h.max(), h.mean()};
}

std::string result_json(const RunResult& r) {
    json j{{"tool", "liveblog-load"}, {"scenario", r.scenario}, {"target", r.target}, {"label", r.label},
           {"url", r.url}, {"readers", r.readers}, {"processes", r.processes}, {"stories", r.stories},
           {"entry_bytes", r.entry_bytes}, {"source_addresses", r.source_addresses}, {"ok", r.ok},
           {"wall_s", round3(r.wall_s)}, {"loadgen_cpu_s", round3(r.loadgen_cpu_s)}, {"warnings", r.warnings}};
    j["connect"] = {{"requested", r.connect.requested}, {"ready", r.connect.ready}, {"failed", r.connect.failed},
                    {"seconds", round3(r.connect.seconds)}, {"per_s", round3(r.connect.per_s)},
                    {"failures", r.connect.failures}};
    if (r.publish) {
        const auto& p = *r.publish;
        j["publish"] = {{"target_rate", p.target_rate}, {"seconds", p.seconds}, {"achieved_rate", round3(p.achieved_rate)},
                        {"posted", p.posted}, {"ok", p.ok}, {"errors", p.errors}, {"late", p.late},
                        {"max_lag_ms", round3(p.max_lag_ms)}, {"ack_us", to_json(p.ack_us)}, {"statuses", p.statuses},
                        {"first_error", p.first_error}};
    }
    if (r.delivery) {
        const auto& d = *r.delivery;
        j["delivery"] = {{"deliveries", d.deliveries}, {"expected", d.expected}, {"lost", d.lost},
                         {"readers_with_loss", d.readers_with_loss}, {"duplicates", d.duplicates},
                         {"replayed", d.replayed}, {"foreign", d.foreign}, {"misrouted", d.misrouted},
                         {"messages", d.messages}, {"bytes", d.bytes}, {"wire_bytes", d.wire_bytes}, {"per_s", round3(d.per_s)},
                         {"events_complete", d.events_complete}, {"events_incomplete", d.events_incomplete},
                         {"latency_us", to_json(d.latency_us)}, {"completion_us", to_json(d.completion_us)},
                         {"closes", d.closes}, {"errors", d.errors}};
    }
    if (r.resume) {
        const auto& s = *r.resume;
        j["resume"] = {{"dropped", s.dropped}, {"resumed", s.resumed}, {"failed", s.failed},
                       {"all_caught_up", s.all_caught_up}, {"all_caught_up_s", round3(s.all_caught_up_s)},
                       {"resume_us", to_json(s.resume_us)}, {"modes", s.modes}};
    }
    if (r.server) {
        const auto& s = *r.server;
        j["server"] = {{"pid", s.pid}, {"rss_before_kib", s.rss_before_kib}, {"rss_connected_kib", s.rss_connected_kib},
                       {"rss_after_kib", s.rss_after_kib}, {"rss_peak_kib", s.rss_peak_kib},
                       {"kib_per_reader", round3(s.kib_per_reader)}, {"cpu_s", round3(s.cpu_s)},
                       {"window_s", round3(s.window_s)}, {"threads", s.threads}};
    }
    if (!r.ramp.empty()) {
        json steps = json::array();
        for (const auto& s : r.ramp)
            steps.push_back({{"rate", s.rate}, {"achieved_rate", round3(s.achieved_rate)}, {"posted", s.posted},
                             {"errors", s.errors}, {"deliveries", s.deliveries}, {"latency_us", to_json(s.latency_us)},
                             {"within_bound", s.within_bound}});
        j["ramp"] = {{"p99_bound_ms", r.ramp_bound_ms}, {"steps", steps},
                     {"max_rate", r.ramp_max_rate ? json(*r.ramp_max_rate) : json(nullptr)}};
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string result_table(const RunResult& r) {
    std::string t;
    t += "liveblog-load  " + r.scenario + "  " + r.label + " (" + r.target + ") " + r.url + "\n";
    t += "readers       " + std::to_string(r.readers) + " in " + std::to_string(r.processes) + " process(es), " +
         std::to_string(r.stories) + " stor" + (r.stories == 1 ? "y" : "ies") + ", " +
         std::to_string(r.source_addresses) + " source address(es)\n";
    t += "connect       " + std::to_string(r.connect.ready) + "/" + std::to_string(r.connect.requested) + " live in " +
         fmt("%.2f s", r.connect.seconds) + " (" + fmt("%.0f/s", r.connect.per_s) + "), " +
         std::to_string(r.connect.failed) + " failed";
    if (!r.connect.failures.empty()) t += " [" + counts(r.connect.failures) + "]";
    t += "\n";
    if (r.publish) {
        const auto& p = *r.publish;
        t += "publish       " + std::to_string(p.posted) + " posts at " + fmt("%.1f/s", p.achieved_rate) + " (target " +
             fmt("%.1f/s", p.target_rate) + " for " + fmt("%.1f s", p.seconds) + "), " + std::to_string(p.errors) +
             " errors, " + std::to_string(p.late) + " late (max lag " + fmt("%.1f ms", p.max_lag_ms) + ")\n";
        t += latency_row("post -> ack", p.ack_us);
        if (!p.first_error.empty()) t += "first error   " + p.first_error + "\n";
    }
    if (r.delivery) {
        const auto& d = *r.delivery;
        t += "delivery      " + std::to_string(d.deliveries) + " of " + std::to_string(d.expected) + " (" +
             fmt("%.0f/s", d.per_s) + "); lost " + std::to_string(d.lost) + " (" + std::to_string(d.readers_with_loss) +
             " readers), duplicates " + std::to_string(d.duplicates);
        if (d.replayed) t += ", replayed " + std::to_string(d.replayed);
        if (d.misrouted) t += ", misrouted " + std::to_string(d.misrouted);
        if (d.foreign) t += ", foreign " + std::to_string(d.foreign);
        t += "\n";
        t += latency_row("latency", d.latency_us);
        t += latency_row("fan-out done", d.completion_us);
        t += "events        " + std::to_string(d.events_complete) + " reached every reader, " +
             std::to_string(d.events_incomplete) + " did not\n";
        t += "closes        " + counts(d.closes) + "\n";
        if (!d.errors.empty()) t += "errors        " + counts(d.errors) + "\n";
    }
    if (r.resume) {
        const auto& s = *r.resume;
        t += "resume        " + std::to_string(s.resumed) + "/" + std::to_string(s.dropped) + " resumed, " +
             std::to_string(s.failed) + " failed; " +
             (s.all_caught_up ? "all caught up in " + fmt("%.2f s", s.all_caught_up_s) : std::string("NOT all caught up")) +
             "; modes " + counts(s.modes) + "\n";
        t += latency_row("resume", s.resume_us);
    }
    for (const auto& s : r.ramp) {
        t += "ramp " + fmt("%8.1f/s", s.rate) + "  achieved " + fmt("%.1f/s", s.achieved_rate) + "  p99 " +
             ms(s.latency_us.p99) + " ms  max " + ms(s.latency_us.max) + " ms  " + std::to_string(s.deliveries) +
             " deliveries  " + (s.within_bound ? "ok" : "over bound") + "\n";
    }
    if (!r.ramp.empty())
        t += "ramp result   " + (r.ramp_max_rate ? fmt("%.1f posts/s", *r.ramp_max_rate) : std::string("no step")) +
             " with p99 <= " + fmt("%.1f ms", r.ramp_bound_ms) + "\n";
    if (r.server) {
        const auto& s = *r.server;
        t += "server        pid " + std::to_string(s.pid) + ": RSS " + mib(s.rss_before_kib) + " before, " +
             mib(s.rss_connected_kib) + " connected (" + fmt("%.2f KiB/reader", s.kib_per_reader) + "), " +
             mib(s.rss_after_kib) + " after, peak " + mib(s.rss_peak_kib);
        if (s.window_s > 0)
            t += "; CPU " + fmt("%.2f s", s.cpu_s) + " over " + fmt("%.1f s", s.window_s) + " (" +
                 fmt("%.0f%% of a core", 100.0 * s.cpu_s / s.window_s) + ")";
        t += "\n";
    }
    t += "loadgen       CPU " + fmt("%.2f s", r.loadgen_cpu_s) + ", wall " + fmt("%.1f s", r.wall_s) + "\n";
    for (const auto& w : r.warnings) t += "warning       " + w + "\n";
    return t;
}

}  // namespace liveblog::load
