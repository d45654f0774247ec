#include "scenario.hpp"

#include <poll.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "clock.hpp"
#include "http_connection.hpp"
#include "proc_stats.hpp"
#include "publisher.hpp"
#include "subscriber_pool.hpp"

namespace liveblog::load {
namespace {

void note(const LoadOptions& o, const char* format, ...) {
    if (!o.progress) return;
    std::va_list args;
    va_start(args, format);
    std::fputs("[liveblog-load] ", stderr);
    std::vfprintf(stderr, format, args);
    std::fputc('\n', stderr);
    va_end(args);
}

void sleep_for(double seconds) {
    const std::int64_t end = mono_ns() + seconds_to_ns(seconds);
    for (std::int64_t now = mono_ns(); now < end; now = mono_ns())
        ::poll(nullptr, 0, static_cast<int>(std::min<std::int64_t>((end - now) / 1'000'000 + 1, 1000)));
}

// POST /api/stories for each id over one keep-alive connection; an existing story is fine.
bool create_stories(const LoadOptions& o, const std::vector<std::string>& ids, std::string& error) {
    HttpConnection c;
    std::size_t done = 0;
    for (int attempt = 0; attempt < 5 && done < ids.size(); ++attempt) {
        if (!c.connect(o.server.address(), 5, error, o.server.tls)) {
            error = "cannot reach " + o.server.host_header() + ": " + error;
            return false;
        }
        for (; done < ids.size(); ++done) {
            const std::string body = R"({"id":")" + ids[done] + R"(","title":"Load test )" + ids[done] + R"("})";
            const std::string req = "POST /api/stories HTTP/1.1\r\nHost: " + o.server.host_header() +
                                    "\r\nAuthorization: Bearer " + o.token +
                                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                    "\r\n\r\n" + body;
            if (!c.send_all(req, 10) || c.read_response(10) != HttpConnection::Read::response) break;  // reconnect
            const int status = c.status();
            if (status != 201 && status != 409) {
                error = "creating story " + ids[done] + ": HTTP " + std::to_string(status) + " " + c.body();
                return false;
            }
            const bool keep = c.keep_alive();
            c.next();
            if (!keep) {
                ++done;
                break;
            }
            if (ids.size() > 1000 && done % 1000 == 999) note(o, "created %zu/%zu stories", done + 1, ids.size());
        }
    }
    if (done < ids.size()) {
        error = "creating stories: the server stopped answering";
        return false;
    }
    return true;
}

struct ServerWatch {
    int pid = 0;
    std::optional<ProcSample> take() const { return pid ? sample_process(pid) : std::nullopt; }
};

std::string join_indexes(const std::vector<std::uint64_t>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s.push_back(',');
        s += std::to_string(v[i]);
    }
    return s;
}

void add_counts(std::map<std::string, std::uint64_t>& into, const std::map<std::string, std::uint64_t>& from) {
    for (const auto& [k, v] : from) into[k] += v;
}

PublishFigures publish_figures(const LoadOptions& o, const PublishStats& published, const std::vector<RampStep>& ramp) {
    PublishFigures p;
    p.target_rate = o.scenario == Scenario::ramp ? (ramp.empty() ? 0 : ramp.back().rate) : o.rate;
    p.seconds = published.seconds;
    // Across ramp steps the gaps between steps would dilute the rate: report the last step's.
    p.achieved_rate = o.scenario == Scenario::ramp ? (ramp.empty() ? 0 : ramp.back().achieved_rate) : published.achieved_rate();
    p.max_lag_ms = published.max_lag_ms;
    p.posted = published.posted;
    p.ok = published.ok;
    p.errors = published.errors;
    p.late = published.late;
    p.ack_us = LatencySummary::of(published.ack_us);
    for (const auto& [k, v] : published.statuses) p.statuses[std::to_string(k)] += v;
    p.first_error = published.first_error;
    return p;
}

// Sums the processes' final reports. An event is complete when every reader
// live on its story at the start had it; its completion time is the latest
// arrival over all processes.
DeliveryFigures delivery_figures(const std::vector<ChildReport>& finals, const PublishStats& published,
                                 std::uint64_t indexes, const std::vector<std::uint64_t>& story_live) {
    DeliveryFigures d;
    Histogram latency, completion;
    std::int64_t last_delivery = 0;
    std::vector<std::int64_t> event_max(indexes, -1);
    std::vector<std::uint64_t> event_receivers(indexes, 0);
    for (const auto& c : finals) {
        latency.merge(c.latency);
        d.deliveries += c.deliveries;
        d.expected += c.expected;
        d.lost += c.lost;
        d.readers_with_loss += c.readers_with_loss;
        d.duplicates += c.duplicates;
        d.replayed += c.replayed;
        d.foreign += c.foreign;
        d.misrouted += c.misrouted;
        d.messages += c.messages;
        d.bytes += c.bytes;
        d.wire_bytes += c.wire_bytes;
        add_counts(d.closes, c.closes);
        add_counts(d.errors, c.errors);
        last_delivery = std::max(last_delivery, c.last_delivery_ns);
        for (std::size_t e = 0; e < std::min<std::size_t>(indexes, c.event_max_us.size()); ++e) {
            event_max[e] = std::max(event_max[e], c.event_max_us[e]);
            event_receivers[e] += c.event_receivers[e];
        }
    }
    const auto& refused = published.failed_indexes;  // sorted
    std::size_t f = 0;
    for (std::uint64_t e = 0; e < indexes; ++e) {
        while (f < refused.size() && refused[f] < e) ++f;
        if (f < refused.size() && refused[f] == e) continue;
        const std::uint64_t expected = story_live[e % story_live.size()];
        if (expected > 0 && event_receivers[e] >= expected) {
            completion.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, event_max[e])));
            ++d.events_complete;
        } else {
            ++d.events_incomplete;
        }
    }
    d.latency_us = LatencySummary::of(latency);
    d.completion_us = LatencySummary::of(completion);
    if (published.first_send_ns && last_delivery > published.first_send_ns)
        d.per_s = static_cast<double>(d.deliveries) / (static_cast<double>(last_delivery - published.first_send_ns) / 1e9);
    return d;
}

ResumeFigures resume_figures(const std::vector<ChildReport>& finals, bool dropped) {
    ResumeFigures s;
    Histogram h;
    std::int64_t first_drop = 0, last_resumed = 0;
    for (const auto& c : finals) {
        s.dropped += c.dropped;
        s.resumed += c.resumed;
        s.failed += c.resume_failed;
        h.merge(c.resume_us);
        add_counts(s.modes, c.resume_modes);
        if (c.drop_ns && (!first_drop || c.drop_ns < first_drop)) first_drop = c.drop_ns;
        last_resumed = std::max(last_resumed, c.last_resumed_ns);
    }
    s.resume_us = LatencySummary::of(h);
    s.all_caught_up = dropped && s.dropped > 0 && s.resumed == s.dropped;
    if (first_drop && last_resumed > first_drop) s.all_caught_up_s = static_cast<double>(last_resumed - first_drop) / 1e9;
    return s;
}

// Reconnect storm: after the drain, waits (bounded) until every dropped reader
// has resumed or failed, so the final report does not count readers still
// catching up as losses.
bool wait_for_resume(const LoadOptions& o, SubscriberPool& pool, std::string& error) {
    const std::int64_t end = mono_ns() + seconds_to_ns(o.resume_timeout_s);
    for (int round = 0;; ++round) {
        pool.command("P");
        const auto reports = pool.collect("progress", 60, error);
        if (reports.empty()) return false;
        std::uint64_t dropped = 0, settled = 0;
        for (const auto& c : reports) {
            dropped += c.dropped;
            settled += c.resumed + c.resume_failed;
        }
        if (settled >= dropped) return true;
        if (mono_ns() >= end) {
            note(o, "%llu of %llu readers still resuming after --resume-timeout-s", static_cast<unsigned long long>(dropped - settled),
                 static_cast<unsigned long long>(dropped));
            return true;
        }
        if (round % 4 == 0)
            note(o, "waiting for resumes: %llu/%llu", static_cast<unsigned long long>(settled), static_cast<unsigned long long>(dropped));
        sleep_for(0.5);
    }
}

}  // namespace

bool run_scenario(const LoadOptions& o, RunResult& r, std::string& error) {
    const std::int64_t run_start = mono_ns();
    const double cpu_start = own_cpu_seconds() + children_cpu_seconds();
    const std::vector<std::string> stories = o.story_ids();
    const auto story_count = static_cast<std::uint32_t>(stories.size());
    r.scenario = to_string(o.scenario);
    r.target = to_string(o.target);
    r.label = o.label;
    r.url = o.target == Target::liveblog ? (o.server.tls ? "https://" : "http://") + o.server.host_header()
                                         : (o.ws.tls ? "wss://" : "ws://") + o.ws.host_header() + o.ws.path;
    r.readers = o.readers;
    r.processes = o.processes();
    r.stories = story_count;
    r.entry_bytes = o.entry_bytes;
    r.source_addresses = o.source_count();

    if (o.target == Target::liveblog && o.create_stories) {
        note(o, "creating %u stor%s", story_count, story_count == 1 ? "y" : "ies");
        if (!create_stories(o, stories, error)) return false;
    }

    const ServerWatch server{o.server_pid};
    ServerFigures sf;
    sf.pid = o.server_pid;
    if (o.server_pid) {
        const auto s = server.take();
        if (!s) {
            error = "cannot read /proc/" + std::to_string(o.server_pid);
            return false;
        }
        sf.rss_before_kib = s->rss_kib;
    }

    note(o, "connecting %u readers from %u process(es), %u source address(es)", o.readers, o.processes(), o.source_count());
    SubscriberPool pool;
    if (!pool.start(o, stories, error)) return false;
    const auto ready = pool.collect("ready", o.connect_timeout_s + o.handshake_timeout_s + 30, error);
    if (ready.empty()) return false;

    std::vector<std::uint64_t> story_live(story_count, 0);
    std::int64_t connect_first = 0, connect_last = 0;
    r.connect.requested = o.readers;
    for (const auto& c : ready) {
        r.connect.ready += c.live;
        r.connect.failed += c.failed;
        add_counts(r.connect.failures, c.failures);
        if (c.connect_start_ns && (!connect_first || c.connect_start_ns < connect_first)) connect_first = c.connect_start_ns;
        connect_last = std::max(connect_last, c.connect_end_ns);
        for (std::size_t s = 0; s < std::min<std::size_t>(story_count, c.story_live.size()); ++s) story_live[s] += c.story_live[s];
    }
    r.connect.seconds = connect_last > connect_first ? static_cast<double>(connect_last - connect_first) / 1e9 : 0;
    r.connect.per_s = r.connect.seconds > 0 ? static_cast<double>(r.connect.ready) / r.connect.seconds : 0;
    note(o, "%llu/%u readers live in %.2f s (%.0f/s), %llu failed", static_cast<unsigned long long>(r.connect.ready),
         o.readers, r.connect.seconds, r.connect.per_s, static_cast<unsigned long long>(r.connect.failed));

    if (o.scenario == Scenario::idle) {
        note(o, "idle for %.1f s", o.idle_s);
        sleep_for(o.idle_s);
    }
    if (o.server_pid) {
        if (const auto s = server.take()) {
            sf.rss_connected_kib = s->rss_kib;
            if (r.connect.ready)
                sf.kib_per_reader = (static_cast<double>(s->rss_kib) - static_cast<double>(sf.rss_before_kib)) /
                                    static_cast<double>(r.connect.ready);
        }
    }

    PublishStats published;
    std::uint64_t indexes = 0;  // event indexes handed out by the publisher, posted or refused
    bool dropped = false;
    if (o.publishes() && r.connect.ready > 0) {
        Publisher publisher(o, stories);
        if (!publisher.open(error)) {
            error = "publisher: " + error;
            return false;
        }
        sleep_for(o.settle_s);
        const auto cpu0 = server.take();
        const std::int64_t window_start = mono_ns();
        if (o.scenario == Scenario::ramp) {
            double rate = o.ramp_start;
            for (std::uint32_t step = 0; step < o.max_steps && rate <= o.ramp_max * (1 + 1e-9); ++step) {
                note(o, "ramp step %u: %.1f posts/s for %.1f s", step + 1, rate, o.step_s);
                PublishStats s = publisher.run(rate, o.step_s, nullptr);
                sleep_for(std::min(o.drain_s, 2.0));
                pool.command("S");
                const auto steps = pool.collect("step", 60, error);
                if (steps.empty()) return false;
                RampStep row;
                row.rate = rate;
                row.achieved_rate = s.achieved_rate();
                row.posted = s.posted;
                row.errors = s.errors;
                Histogram h;
                for (const auto& c : steps) {
                    h.merge(c.latency);
                    row.deliveries += c.deliveries;
                }
                row.latency_us = LatencySummary::of(h);
                row.within_bound = h.count() > 0 && static_cast<double>(row.latency_us.p99) <= o.p99_bound_ms * 1000 &&
                                   s.errors == 0 && row.achieved_rate >= 0.9 * rate;
                note(o, "  p99 %.2f ms, %llu deliveries, achieved %.1f/s", static_cast<double>(row.latency_us.p99) / 1000,
                     static_cast<unsigned long long>(row.deliveries), row.achieved_rate);
                r.ramp.push_back(row);
                published.merge(s);
                if (!row.within_bound) break;
                r.ramp_max_rate = rate;
                rate *= o.ramp_factor;
            }
            r.ramp_bound_ms = o.p99_bound_ms;
        } else {
            note(o, "publishing %.1f posts/s for %.1f s", o.rate, o.duration_s);
            const std::int64_t drop_at = mono_ns() + seconds_to_ns(o.drop_at_s);
            std::function<void()> tick;
            if (o.scenario == Scenario::reconnect_storm)
                tick = [&] {
                    if (!dropped && mono_ns() >= drop_at) {
                        note(o, "dropping every reader");
                        pool.command("D");
                        dropped = true;
                    }
                };
            published = publisher.run(o.rate, o.duration_s, tick);
            note(o, "draining %.1f s", o.drain_s);
            sleep_for(o.drain_s);
            if (dropped && !wait_for_resume(o, pool, error)) return false;
        }
        indexes = publisher.next_index();
        const auto cpu1 = server.take();
        if (cpu0 && cpu1) {
            sf.cpu_s = cpu1->cpu_s - cpu0->cpu_s;
            sf.window_s = static_cast<double>(mono_ns() - window_start) / 1e9;
        }
    } else if (o.publishes()) {
        r.warnings.push_back("no reader connected: nothing published");
    }

    pool.command("F " + std::to_string(indexes) + " " + join_indexes(published.failed_indexes));
    const auto finals = pool.collect("final", 120, error);
    if (finals.empty()) return false;
    pool.stop(10);

    if (o.server_pid) {
        if (const auto s = server.take()) {
            sf.rss_after_kib = s->rss_kib;
            // VmHWM is synced lazily by the kernel: never report a peak below a sample.
            sf.rss_peak_kib = std::max({s->hwm_kib, s->rss_kib, sf.rss_connected_kib});
            sf.threads = s->threads;
        }
        r.server = sf;
    }

    if (o.publishes()) {
        r.publish = publish_figures(o, published, r.ramp);
        if (o.scenario != Scenario::ramp && r.publish->achieved_rate < 0.95 * r.publish->target_rate)
            r.warnings.push_back("the publisher fell behind its target rate");
        r.delivery = delivery_figures(finals, published, indexes, story_live);
        if (r.delivery->lost || r.delivery->duplicates || r.publish->errors) r.ok = false;
    }
    if (o.scenario == Scenario::reconnect_storm) {
        r.resume = resume_figures(finals, dropped);
        if (!r.resume->all_caught_up) r.ok = false;
    }

    if (r.connect.failed) r.ok = false;
    r.wall_s = static_cast<double>(mono_ns() - run_start) / 1e9;
    r.loadgen_cpu_s = own_cpu_seconds() + children_cpu_seconds() - cpu_start;
    return true;
}

}  // namespace liveblog::load
