#include "publisher.hpp"

#include <poll.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "clock.hpp"
#include "marker.hpp"

namespace liveblog::load {
namespace {

constexpr double request_timeout_s = 10;
constexpr std::int64_t late_after_ns = 5'000'000;

// Padding is French prose, not a repeated alphabet: what permessage-deflate
// and gzip make of it is what they make of a real entry. 1,300 bytes before
// it repeats, so a 1 KiB entry holds no repetition a compressor could exploit.
std::string padding(std::size_t n) {
    static constexpr std::string_view prose =
        "Les bureaux de vote ont fermé leurs portes à vingt heures dans la plupart des communes du département. "
        "Selon les premiers chiffres communiqués par la préfecture, la participation atteint soixante et un pour "
        "cent, en nette hausse par rapport au scrutin précédent. Dans les quartiers nord, les assesseurs décrivent "
        "des files d'attente inhabituelles en fin d'après-midi, notamment chez les jeunes électeurs. Le dépouillement "
        "a commencé aussitôt ; les résultats des bureaux ruraux devraient arriver les premiers, ceux de la ville-centre "
        "vers vingt-deux heures. Au siège de la liste sortante, l'ambiance reste prudente : « Rien n'est joué tant que "
        "les grandes villes n'ont pas parlé », glisse un adjoint. En face, on se félicite d'une mobilisation qui aurait "
        "dépassé les espérances. Les observateurs rappellent que l'écart, au premier tour, n'était que de quelques "
        "centaines de voix. Une éventuelle contestation devrait être déposée devant le tribunal administratif dans les "
        "cinq jours. Notre équipe suit la soirée depuis la mairie, la préfecture et les deux quartiers généraux ; "
        "retrouvez ici chaque résultat dès sa proclamation, bureau par bureau, avec les réactions des candidats. ";
    std::string p;
    p.reserve(n + prose.size());
    while (p.size() < n) p.append(prose);
    p.resize(n);
    // Never end inside a UTF-8 sequence: a cut multibyte character becomes spaces.
    std::size_t lead = p.size();
    while (lead > 0 && (static_cast<unsigned char>(p[lead - 1]) & 0xC0) == 0x80) --lead;
    if (lead > 0) {
        const auto b = static_cast<unsigned char>(p[lead - 1]);
        const std::size_t want = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        const std::size_t have = p.size() - (lead - 1);
        if (have < want) p.replace(lead - 1, have, have, ' ');
    }
    return p;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

}  // namespace

double PublishStats::achieved_rate() const {
    if (posted < 2 || last_send_ns <= first_send_ns) return static_cast<double>(posted) / std::max(seconds, 1e-9);
    return static_cast<double>(posted - 1) / (static_cast<double>(last_send_ns - first_send_ns) / 1e9);
}

void PublishStats::merge(const PublishStats& o) {
    seconds += o.seconds;
    posted += o.posted;
    ok += o.ok;
    errors += o.errors;
    late += o.late;
    max_lag_ms = std::max(max_lag_ms, o.max_lag_ms);
    if (!first_send_ns) first_send_ns = o.first_send_ns;
    if (o.last_send_ns) last_send_ns = o.last_send_ns;
    ack_us.merge(o.ack_us);
    for (auto& [k, v] : o.statuses) statuses[k] += v;
    if (first_error.empty()) first_error = o.first_error;
    failed_indexes.insert(failed_indexes.end(), o.failed_indexes.begin(), o.failed_indexes.end());
    std::sort(failed_indexes.begin(), failed_indexes.end());
}

Publisher::Publisher(const LoadOptions& options, std::vector<std::string> stories)
    : options_(options), stories_(std::move(stories)) {
    endpoint_ = options.target == Target::liveblog ? options.server : options.pub;
    content_type_ = options.content_type;
    if (content_type_.empty())
        content_type_ = options.target == Target::liveblog || options.body_template.starts_with("{\"") ||
                                options.body_template.starts_with("{ ")
                            ? "application/json"
                            : "text/plain";
}

bool Publisher::open(std::string& error) {
    slots_.clear();
    slots_.resize(options_.publishers);
    for (Slot& s : slots_)
        if (!s.conn.connect(endpoint_.address(), 5, error, endpoint_.tls)) return false;
    return true;
}

std::string Publisher::entry_text(std::uint64_t publish_ns, std::uint64_t index, std::uint32_t entry_bytes) {
    std::string text = make_marker({publish_ns, index});
    if (entry_bytes > text.size() + 1) {
        text.push_back(' ');
        text += padding(entry_bytes - text.size());
    }
    return text;
}

std::string Publisher::build_request(std::uint64_t index, std::int64_t publish_ns) const {
    std::string body, path;
    if (options_.target == Target::liveblog) {
        path = "/api/stories/" + stories_[index % stories_.size()] + "/entries";
        body = R"({"blocks":[{"type":"text","text":")" +
               entry_text(static_cast<std::uint64_t>(publish_ns), index, options_.entry_bytes) + R"("}]})";
    } else {
        path = endpoint_.path;
        const std::string marker = make_marker({static_cast<std::uint64_t>(publish_ns), index});
        body = options_.body_template;
        const std::size_t pad = options_.entry_bytes > marker.size() + 1 ? options_.entry_bytes - marker.size() - 1 : 0;
        replace_all(body, "{marker}", marker);
        replace_all(body, "{padding}", padding(pad));
    }
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: " + endpoint_.host_header() + "\r\n";
    if (!options_.token.empty()) req += "Authorization: Bearer " + options_.token + "\r\n";
    req += "Content-Type: " + content_type_ + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    req += body;
    return req;
}

bool Publisher::send(Slot& slot, std::uint64_t index, PublishStats& stats) {
    std::string error;
    if (!slot.conn.is_open() && !slot.conn.connect(endpoint_.address(), 5, error, endpoint_.tls)) {
        if (stats.first_error.empty()) stats.first_error = "reconnect: " + error;
        return false;
    }
    const std::int64_t now = wall_ns();
    const std::string req = build_request(index, now);
    slot.busy = true;
    slot.index = index;
    slot.sent_mono = mono_ns();
    ++stats.posted;
    if (!stats.first_send_ns) stats.first_send_ns = now;
    stats.last_send_ns = now;
    if (!slot.conn.send_all(req, request_timeout_s)) {
        finish(slot, 0, "send failed", stats);
        return true;
    }
    return true;
}

void Publisher::finish(Slot& slot, int status, const std::string& body, PublishStats& stats) {
    slot.busy = false;
    stats.ack_us.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, (mono_ns() - slot.sent_mono) / 1000)));
    if (status >= 200 && status < 300) {
        ++stats.ok;
        return;
    }
    ++stats.errors;
    ++stats.statuses[status];
    stats.failed_indexes.push_back(slot.index);
    if (stats.first_error.empty())
        stats.first_error = (status ? "HTTP " + std::to_string(status) + ": " : std::string()) + body.substr(0, 300);
    if (status == 0) slot.conn.close();
}

void Publisher::poll_once(int timeout_ms, PublishStats& stats) {
    // Idle connections are watched too: a server that closes an idle
    // keep-alive connection is noticed before the next post goes out on it.
    std::vector<pollfd> fds;
    std::vector<Slot*> owners;
    for (Slot& s : slots_) {
        if (!s.conn.is_open()) continue;
        fds.push_back({s.conn.fd(), POLLIN, 0});
        owners.push_back(&s);
    }
    ::poll(fds.empty() ? nullptr : fds.data(), fds.size(), timeout_ms);
    const std::int64_t now = mono_ns();
    for (std::size_t i = 0; i < fds.size(); ++i) {
        Slot& s = *owners[i];
        if (!s.busy) {
            if (fds[i].revents && s.conn.read_available() != HttpConnection::Read::incomplete) s.conn.close();
            continue;
        }
        if (fds[i].revents) {
            const auto r = s.conn.read_available();
            if (r == HttpConnection::Read::response) {
                const int status = s.conn.status();
                const std::string body = status >= 300 ? s.conn.body() : std::string();
                const bool keep = s.conn.keep_alive();
                s.conn.next();
                finish(s, status, body, stats);
                if (!keep) s.conn.close();
                continue;
            }
            if (r == HttpConnection::Read::closed || r == HttpConnection::Read::error) {
                finish(s, 0, "connection ended before the answer", stats);
                continue;
            }
        }
        if (now - s.sent_mono > seconds_to_ns(request_timeout_s)) finish(s, 0, "no answer within 10 s", stats);
    }
}

PublishStats Publisher::run(double rate, double seconds, const std::function<void()>& tick) {
    PublishStats stats;
    stats.target_rate = rate;
    stats.seconds = seconds;
    const auto total = static_cast<std::uint64_t>(std::llround(rate * seconds));
    const std::int64_t start = mono_ns();
    const double interval_ns = 1e9 / rate;
    std::uint64_t k = 0;
    std::int64_t next_progress = start + 2'000'000'000;
    const std::int64_t hard_end = start + seconds_to_ns(seconds * 3 + 30);  // bound even if posts stall
    while (k < total && mono_ns() < hard_end) {
        const std::int64_t now = mono_ns();
        const auto due = start + static_cast<std::int64_t>(static_cast<double>(k) * interval_ns);
        if (now >= due) {
            auto idle = std::find_if(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.busy; });
            if (idle != slots_.end()) {
                const std::int64_t lag = now - due;
                if (lag > late_after_ns) ++stats.late;
                stats.max_lag_ms = std::max(stats.max_lag_ms, static_cast<double>(lag) / 1e6);
                if (!send(*idle, next_index_, stats)) {
                    ++stats.errors;
                    ++stats.statuses[0];
                    stats.failed_indexes.push_back(next_index_);
                }
                ++next_index_;
                ++k;
                continue;
            }
        }
        // Due but every connection busy: wait for an answer (poll wakes on it), never spin.
        const std::int64_t wait_ns = now >= due ? 10'000'000 : std::min<std::int64_t>(due - now, 10'000'000);
        poll_once(static_cast<int>((wait_ns + 999'999) / 1'000'000), stats);
        if (tick) tick();
        if (options_.progress && now >= next_progress) {
            std::fprintf(stderr, "[liveblog-load] posted %llu/%llu, %llu errors\n", static_cast<unsigned long long>(k),
                         static_cast<unsigned long long>(total), static_cast<unsigned long long>(stats.errors));
            next_progress = now + 2'000'000'000;
        }
    }
    const std::int64_t drain_end = mono_ns() + seconds_to_ns(request_timeout_s + 1);
    while (mono_ns() < drain_end && std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.busy; })) {
        poll_once(10, stats);
        if (tick) tick();
    }
    std::sort(stats.failed_indexes.begin(), stats.failed_indexes.end());
    return stats;
}

}  // namespace liveblog::load
