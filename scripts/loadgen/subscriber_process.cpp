#include "subscriber_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>

#include "clock.hpp"
#include "json_scan.hpp"
#include "marker.hpp"
#include "proc_stats.hpp"

namespace liveblog::load {
namespace {

constexpr std::uint64_t control_tag = ~std::uint64_t{0};
constexpr std::size_t scratch_size = 256 * 1024;
constexpr int max_events_per_wait = 1024;

}  // namespace

SubscriberProcess::SubscriberProcess(const LoadOptions& options, std::vector<std::string> stories, Share share,
                                     int control_fd, int report_fd)
    : options_(options),
      stories_(std::move(stories)),
      share_(share),
      control_fd_(control_fd),
      report_fd_(report_fd),
      liveblog_(options.target == Target::liveblog),
      readers_(std::make_unique<WsReader[]>(share.count)),
      state_(share.count),
      epochs_(stories_.size()),
      tracker_(static_cast<std::uint32_t>(stories_.size())),
      scratch_(scratch_size) {
    const Endpoint& ep = liveblog_ ? options.server : options.ws;
    server_ = ep.address();
    host_ = ep.host_header();
    path_ = liveblog_ ? "/ws" : ep.path;
    totals_.child = share.child;
    totals_.readers = share.count;
    for (std::uint32_t i = 0; i < share.count; ++i) {
        readers_[i].set_id(i);
        readers_[i].set_pool(&pool_);
        state_[i].story = (share.first_reader + i) % static_cast<std::uint32_t>(stories_.size());
        tracker_.add_reader(state_[i].story);
    }
}

SubscriberProcess::~SubscriberProcess() {
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

int SubscriberProcess::run() {
    WsReader::offer_deflate(options_.deflate);
    WsReader::use_tls(liveblog_ ? options_.server.tls : options_.ws.tls);
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return 2;
    fcntl(control_fd_, F_SETFL, fcntl(control_fd_, F_GETFL) | O_NONBLOCK);
    epoll_event cev{};
    cev.events = EPOLLIN;
    cev.data.u64 = control_tag;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, control_fd_, &cev);

    started_wall_ns_ = wall_ns();
    const std::int64_t started = mono_ns();
    const std::int64_t end_of_life = started + seconds_to_ns(options_.max_run_s);
    connect_deadline_ = started + seconds_to_ns(options_.connect_timeout_s);
    next_progress_ = started + 2'000'000'000;
    totals_.connect_start_ns = started_wall_ns_;
    queue_.resize(share_.count);
    for (std::uint32_t i = 0; i < share_.count; ++i) queue_[i] = i;

    std::vector<epoll_event> events(max_events_per_wait);
    std::int64_t next_check = 0;
    while (!stop_ && mono_ns() < end_of_life) {
        pump_connects();
        const int n = epoll_wait(epoll_fd_, events.data(), max_events_per_wait, 50);
        if (n < 0 && errno != EINTR) return 3;
        for (int i = 0; i < n && !stop_; ++i) {
            if (events[i].data.u64 == control_tag) {
                read_control();
                continue;
            }
            dispatch(static_cast<std::uint32_t>(events[i].data.u64), events[i].events);
        }
        const std::int64_t now = mono_ns();
        if (now >= next_check) {
            check_deadlines(now);
            next_check = now + 100'000'000;
        }
        if ((initial_phase_ || resume_phase_) && connect_done()) {
            progress(now, true);
            if (initial_phase_) {
                initial_phase_ = false;
                for (ReaderState& s : state_) s.counted = s.status == Status::live;
                if (!write_report(snapshot("ready"))) return 4;
            }
            resume_phase_ = false;
        } else if (initial_phase_ || resume_phase_) {
            progress(now, false);
        }
    }
    return 0;
}

void SubscriberProcess::progress(std::int64_t now, bool force) {
    if (!options_.progress || share_.count < 2000) return;
    if (!force && now < next_progress_) return;
    next_progress_ = now + 2'000'000'000;
    std::uint32_t failed = 0;
    for (const ReaderState& s : state_) failed += s.status == Status::failed;
    std::fprintf(stderr, "[liveblog-load child %u] %s: %u/%u live, %u failed\n", share_.child,
                 resume_phase_ ? "resuming" : "connecting", live_, share_.count, failed);
}

void SubscriberProcess::dispatch(std::uint32_t slot, std::uint32_t events) {
    if (slot >= share_.count) return;
    WsReader& r = readers_[slot];
    switch (r.phase()) {
        case WsReader::Phase::connecting:
            if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
                if (r.on_writable(host_, path_, *this)) {
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.u64 = slot;
                    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, r.fd(), &ev);
                }
            }
            break;
        case WsReader::Phase::handshaking:
        case WsReader::Phase::upgrading:
        case WsReader::Phase::open:
            if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) r.on_readable(scratch_, *this);
            break;
        default:
            break;  // a stale event for a socket closed earlier in this batch
    }
}

void SubscriberProcess::pump_connects() {
    while (inflight_count_ < share_.concurrency && queue_pos_ < queue_.size()) start_one(queue_[queue_pos_++]);
}

void SubscriberProcess::start_one(std::uint32_t slot) {
    ReaderState& st = state_[slot];
    st.status = Status::inflight;
    st.deadline = mono_ns() + seconds_to_ns(options_.handshake_timeout_s);
    ++inflight_count_;
    inflight_.push_back(slot);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7f000001u + (share_.first_reader + slot) % options_.source_count());
    std::string reason;
    WsReader& r = readers_[slot];
    if (!r.start(source, server_, reason)) {
        failed(slot, reason);
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = slot;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, r.fd(), &ev) != 0) {
        r.abort();
        failed(slot, "epoll_ctl");
    }
}

std::string SubscriberProcess::subscribe_message(std::uint32_t slot) const {
    const ReaderState& st = state_[slot];
    std::string m = R"({"type":"subscribe","story":")" + stories_[st.story] + "\"";
    if (st.resuming) {
        m += ",\"since\":" + std::to_string(st.last_seq);
        if (!epochs_[st.story].empty()) m += ",\"epoch\":\"" + epochs_[st.story] + "\"";
    }
    m += "}";
    return m;
}

void SubscriberProcess::on_open(WsReader& reader) {
    const std::uint32_t slot = reader.id();
    if (liveblog_) {
        if (!reader.send_text(subscribe_message(slot))) {
            reader.abort();
            failed(slot, "subscribe not sent");
        }
        return;  // live once `subscribed` arrives
    }
    if (!options_.subscribe_message.empty() && !reader.send_text(options_.subscribe_message)) {
        reader.abort();
        failed(slot, "subscribe not sent");
        return;
    }
    became_live(slot);
}

void SubscriberProcess::became_live(std::uint32_t slot) {
    ReaderState& st = state_[slot];
    if (st.status != Status::inflight) return;
    st.status = Status::live;
    --inflight_count_;
    ++live_;
    const std::int64_t now = wall_ns();
    if (initial_phase_) totals_.connect_end_ns = now;
    if (st.resuming) {
        st.resuming = false;
        ++totals_.resumed;
        totals_.last_resumed_ns = now;
        totals_.resume_us.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - totals_.drop_ns) / 1000));
    }
}

void SubscriberProcess::failed(std::uint32_t slot, std::string_view reason) {
    ReaderState& st = state_[slot];
    if (st.status == Status::inflight) --inflight_count_;
    st.status = Status::failed;
    ++totals_.failures[std::string(reason)];
    if (st.resuming) {
        st.resuming = false;
        ++totals_.resume_failed;
    }
}

void SubscriberProcess::on_failed(WsReader& reader, std::string_view reason) { failed(reader.id(), reason); }

void SubscriberProcess::on_closed(WsReader& reader, std::uint16_t code) {
    const std::uint32_t slot = reader.id();
    ReaderState& st = state_[slot];
    char name[8];
    const auto end = std::to_chars(name, name + sizeof name, code).ptr;
    if (st.status == Status::live) {
        --live_;
        st.status = Status::closed;
        ++totals_.closes[std::string(name, end)];
    } else if (st.status == Status::inflight) {
        failed(slot, "closed " + std::string(name, end));
    }
}

void SubscriberProcess::on_message(WsReader& reader, std::string_view payload, bool, std::int64_t recv_ns) {
    const std::uint32_t slot = reader.id();
    ReaderState& st = state_[slot];
    ++totals_.messages;
    totals_.bytes += payload.size();
    if (!liveblog_) {
        deliver(slot, payload, recv_ns, st.status == Status::live);
        return;
    }
    const TopLevelFields f = scan_top_level(payload);
    if (f.type == "event") {
        if (f.has_seq && f.seq > st.last_seq) st.last_seq = f.seq;
        deliver(slot, payload, recv_ns, st.status == Status::live);
    } else if (f.type == "subscribed") {
        if (f.has_seq && f.seq > st.last_seq) st.last_seq = f.seq;
        std::string& epoch = epochs_[st.story];
        if (!f.epoch.empty() && epoch != f.epoch) epoch.assign(f.epoch);
        if (st.resuming && st.status == Status::inflight) ++totals_.resume_modes[std::string(f.mode)];
        became_live(slot);
    } else if (f.type == "error") {
        ++totals_.errors[std::string(f.code)];
        if (st.status == Status::inflight) {
            reader.abort();
            failed(slot, "error " + std::string(f.code));
        }
    }
}

void SubscriberProcess::deliver(std::uint32_t slot, std::string_view payload, std::int64_t recv_ns, bool live) {
    const auto m = find_marker(payload);
    if (!m) return;
    if (m->publish_ns < static_cast<std::uint64_t>(started_wall_ns_)) {
        ++totals_.foreign;  // published before this run: not ours
        return;
    }
    const std::int64_t latency_us = std::max<std::int64_t>(0, (recv_ns - static_cast<std::int64_t>(m->publish_ns)) / 1000);
    switch (tracker_.record(slot, m->index, latency_us)) {
        case DeliveryTracker::Outcome::first:
            ++totals_.deliveries;
            if (!totals_.first_delivery_ns) totals_.first_delivery_ns = recv_ns;
            totals_.last_delivery_ns = recv_ns;
            if (live) {
                totals_.latency.record(static_cast<std::uint64_t>(latency_us));
                step_latency_.record(static_cast<std::uint64_t>(latency_us));
                ++step_deliveries_;
            } else {
                ++totals_.replayed;
            }
            break;
        case DeliveryTracker::Outcome::duplicate: ++totals_.duplicates; break;
        case DeliveryTracker::Outcome::misrouted: ++totals_.misrouted; break;
        case DeliveryTracker::Outcome::out_of_range: ++totals_.foreign; break;
    }
}

void SubscriberProcess::check_deadlines(std::int64_t now) {
    const bool give_up = initial_phase_ && now > connect_deadline_;
    std::size_t keep = 0;
    for (std::uint32_t slot : inflight_) {
        ReaderState& st = state_[slot];
        if (st.status != Status::inflight) continue;
        if (give_up || now > st.deadline) {
            readers_[slot].abort();
            failed(slot, give_up ? "connect phase timeout" : "handshake timeout");
            continue;
        }
        inflight_[keep++] = slot;
    }
    inflight_.resize(keep);
    if (give_up) {
        for (; queue_pos_ < queue_.size(); ++queue_pos_) failed(queue_[queue_pos_], "connect phase timeout");
    }
}

void SubscriberProcess::read_control() {
    char buf[4096];
    for (int round = 0; round < 16; ++round) {
        const ssize_t n = ::read(control_fd_, buf, sizeof buf);
        if (n > 0) {
            control_buffer_.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) {
            stop_ = true;  // the parent is gone
            return;
        }
        if (errno == EINTR) continue;
        break;
    }
    for (std::size_t nl = control_buffer_.find('\n'); nl != std::string::npos && !stop_; nl = control_buffer_.find('\n')) {
        const std::string line = control_buffer_.substr(0, nl);
        control_buffer_.erase(0, nl + 1);
        handle_command(line);
    }
}

void SubscriberProcess::handle_command(std::string_view line) {
    if (line == "S") {
        ChildReport r = snapshot("step");
        r.latency = step_latency_;
        r.deliveries = step_deliveries_;
        step_latency_.reset();
        step_deliveries_ = 0;
        if (!write_report(r)) stop_ = true;
    } else if (line == "D") {
        drop_and_resume();
    } else if (line == "P") {
        if (!write_report(snapshot("progress"))) stop_ = true;
    } else if (line.starts_with("F ")) {
        line.remove_prefix(2);
        std::uint64_t published = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), published);
        std::vector<std::uint64_t> refused;
        if (ec == std::errc{}) {
            std::string_view rest(p, static_cast<std::size_t>(line.data() + line.size() - p));
            while (!rest.empty()) {
                if (rest.front() == ' ' || rest.front() == ',') {
                    rest.remove_prefix(1);
                    continue;
                }
                std::uint64_t v = 0;
                auto [q, e2] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
                if (e2 != std::errc{}) break;
                refused.push_back(v);
                rest.remove_prefix(static_cast<std::size_t>(q - rest.data()));
            }
        }
        std::sort(refused.begin(), refused.end());
        ChildReport r = snapshot("final");
        std::vector<bool> counted(share_.count);
        for (std::uint32_t i = 0; i < share_.count; ++i) counted[i] = state_[i].counted;
        const auto loss = tracker_.loss(published, refused, counted);
        r.expected = loss.expected;
        r.lost = loss.lost;
        r.readers_with_loss = loss.readers_with_loss;
        const auto& maxes = tracker_.event_max_latency_us();
        const auto& receivers = tracker_.event_receivers();
        const auto n = static_cast<std::size_t>(published);
        r.event_max_us.assign(n, -1);
        r.event_receivers.assign(n, 0);
        for (std::size_t i = 0; i < std::min(n, maxes.size()); ++i) {
            r.event_max_us[i] = maxes[i];
            r.event_receivers[i] = receivers[i];
        }
        write_report(r);
        stop_ = true;
    }
}

void SubscriberProcess::drop_and_resume() {
    totals_.drop_ns = wall_ns();
    queue_.clear();
    queue_pos_ = 0;
    for (std::uint32_t slot = 0; slot < share_.count; ++slot) {
        ReaderState& st = state_[slot];
        if (st.status != Status::live) continue;
        readers_[slot].abort();
        --live_;
        st.status = Status::waiting;
        st.resuming = true;
        ++totals_.dropped;
        queue_.push_back(slot);
    }
    resume_phase_ = true;
}

ChildReport SubscriberProcess::snapshot(const char* kind) {
    ChildReport r = totals_;
    r.kind = kind;
    r.live = live_;
    r.failed = 0;
    for (const ReaderState& s : state_) r.failed += s.status == Status::failed;
    if (r.kind == "ready") {
        r.story_live.assign(stories_.size(), 0);
        for (const ReaderState& s : state_)
            if (s.status == Status::live) ++r.story_live[s.story];
    }
    r.wire_bytes = WsReader::wire_bytes_received();
    r.cpu_s = own_cpu_seconds();
    r.max_rss_kib = own_max_rss_kib();
    return r;
}

bool SubscriberProcess::write_report(const ChildReport& r) {
    const std::string line = encode_report(r);
    std::string_view rest = line;
    const std::int64_t deadline = mono_ns() + 60'000'000'000;
    while (!rest.empty() && mono_ns() < deadline) {
        const ssize_t n = ::write(report_fd_, rest.data(), rest.size());
        if (n > 0) {
            rest.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            pollfd p{report_fd_, POLLOUT, 0};
            ::poll(&p, 1, 100);
        } else {
            return false;
        }
    }
    return rest.empty();
}

}  // namespace liveblog::load
