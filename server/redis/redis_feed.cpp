#include "redis/redis_feed.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "core/desk.hpp"
#include "core/hub.hpp"
#include "redis/redis_codec.hpp"
#include "redis/redis_store.hpp"

namespace liveblog {

namespace {
constexpr std::size_t catch_up_batch = 500;
constexpr auto max_backoff = std::chrono::milliseconds(2000);
}  // namespace

RedisFeed::RedisFeed(redis::Endpoint endpoint, RedisStore& store, Options options)
    : endpoint_(std::move(endpoint)),
      store_(store),
      options_(std::move(options)),
      stories_channel_(options_.prefix + "stories"),
      notices_channel_(options_.prefix + "notices"),
      events_prefix_(options_.prefix + "events:"),
      node_id_(to_hex(random_bytes(8))),
      pubsub_(endpoint_, options_.timeout),
      commands_(endpoint_, options_.timeout),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (wake_fd_ < 0) throw std::runtime_error("redis feed: eventfd failed");
}

RedisFeed::~RedisFeed() {
    stop();
    ::close(wake_fd_);
}

void RedisFeed::start(Hub& hub) {
    hub_ = &hub;
    thread_ = std::thread([this] { run(); });
}

void RedisFeed::stop() {
    stopping_ = true;
    wake();
    if (thread_.joinable()) thread_.join();
}

// ---------------------------------------------------------------------------
// Requests from the hub (any thread, hub lock held: queue and wake only)
// ---------------------------------------------------------------------------

void RedisFeed::follow(const std::string& story) {
    std::lock_guard lock(mutex_);
    requests_.push_back({true, story});
    wake();
}

void RedisFeed::unfollow(const std::string& story) {
    std::lock_guard lock(mutex_);
    requests_.push_back({false, story});
    wake();
}

void RedisFeed::report_viewers(std::unordered_map<std::string, std::size_t> local) {
    std::lock_guard lock(mutex_);
    local_viewers_ = std::move(local);
}

std::optional<std::size_t> RedisFeed::cluster_viewers(const std::string& story) const {
    std::lock_guard lock(mutex_);
    auto it = cluster_viewers_.find(story);
    if (it == cluster_viewers_.end()) return std::nullopt;
    return it->second;
}

void RedisFeed::wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

// ---------------------------------------------------------------------------
// The feed thread
// ---------------------------------------------------------------------------

void RedisFeed::run() {
    auto backoff = std::chrono::milliseconds(100);
    while (!stopping_) {
        try {
            session();
        } catch (const std::exception& e) {  // redis::RedisError, or StoreFailure from a catch-up read
            if (stopping_) break;
            if (healthy_) log_warn("redis feed: ", e.what(), "; reconnecting");
            healthy_ = false;
            pubsub_.disconnect();
            commands_.disconnect();
            sleep_interruptibly(backoff);
            backoff = std::min(backoff * 2, max_backoff);
            continue;
        }
    }
    healthy_ = false;
}

void RedisFeed::sleep_interruptibly(std::chrono::milliseconds d) {
    pollfd p{wake_fd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(d.count()));
}

void RedisFeed::session() {
    pubsub_.connect();
    commands_.connect();
    take_requests();
    // Every followed story again: their catch-ups run as each subscription is
    // confirmed (on_reply), so nothing between the last event seen and the
    // subscription is missed.
    std::vector<std::string> subscribe{"SUBSCRIBE", stories_channel_, notices_channel_};
    for (auto& story : followed_) subscribe.push_back(events_prefix_ + story);
    pubsub_.send(subscribe);
    while (!pubsub_.flush()) {}
    log_info("redis feed: connected to ", endpoint_.host, ":", endpoint_.port, " as node ", node_id_);

    while (!stopping_) {
        auto now = std::chrono::steady_clock::now();
        if (now >= next_presence_) {
            exchange_presence();
            next_presence_ = now + options_.presence_interval;
        }
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_presence_ - now);
        pollfd fds[2] = {{pubsub_.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        int n = ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(wait.count(), 1)));
        if (n < 0) continue;  // EINTR
        if (fds[1].revents & POLLIN) {
            std::uint64_t drained;
            [[maybe_unused]] auto r = ::read(wake_fd_, &drained, sizeof drained);
            take_requests();
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            pubsub_.read_available();  // throws when the connection is gone
            redis::Value reply;
            while (pubsub_.next_reply(reply)) on_reply(reply);
        }
    }
}

void RedisFeed::take_requests() {
    std::deque<Request> requests;
    {
        std::lock_guard lock(mutex_);
        requests.swap(requests_);
    }
    if (requests.empty()) return;
    bool sent = false;
    for (auto& r : requests) {
        if (r.follow ? followed_.insert(r.story).second : followed_.erase(r.story) > 0) {
            if (pubsub_.connected()) {
                pubsub_.send({r.follow ? "SUBSCRIBE" : "UNSUBSCRIBE", events_prefix_ + r.story});
                sent = true;
            }
        }
    }
    if (sent)
        while (!pubsub_.flush()) {}
}

void RedisFeed::on_reply(const redis::Value& reply) {
    if (reply.type != redis::Value::Type::array || reply.size() < 3) return;
    const std::string& kind = reply[0].str;
    const std::string& channel = reply[1].str;
    std::string story = channel.starts_with(events_prefix_) ? channel.substr(events_prefix_.size()) : std::string();

    if (kind == "message") {
        if (channel == stories_channel_)
            hub_->apply_cluster_story(redis::parse_story(reply[2].str));
        else if (channel == notices_channel_)
            on_notice(reply[2].str);
        else if (!story.empty() && followed_.count(story))
            on_event(story, reply[2].str);
    } else if (kind == "subscribe") {
        if (channel == stories_channel_) {
            sync_stories();
            healthy_ = true;
        } else if (!story.empty() && followed_.count(story)) {
            catch_up(story);
        }
    }
}

void RedisFeed::on_notice(const std::string& payload) {
    auto nl = payload.find('\n');
    if (nl == std::string::npos || payload.compare(0, nl, store_.origin()) == 0) return;  // malformed, or ours
    try {
        hub_->apply_cluster_desk_change(desk_change_from_json(nlohmann::json::parse(payload.substr(nl + 1))));
    } catch (const std::exception& e) {
        log_error("cluster: unreadable notice: ", e.what());
    }
}

void RedisFeed::on_event(const std::string& story, const std::string& payload) {
    Event event = redis::parse_event(payload);
    switch (hub_->apply_cluster_event(event)) {
        case ApplyResult::applied:
        case ApplyResult::already_applied: return;
        case ApplyResult::unknown_story:
            if (auto s = store_.story(story)) hub_->apply_cluster_story(*s);
            [[fallthrough]];
        case ApplyResult::gap: catch_up(story); return;  // the stream has every event up to this one
    }
}

// Brings the hub's copy of a followed story up to Redis: exact events from
// the stream, or a compacted catch-up from the store if the stream no longer
// reaches back to the hub's seq.
void RedisFeed::catch_up(const std::string& story) {
    for (;;) {
        std::optional<Seq> seq = hub_->story_seq(story);
        if (!seq) {
            auto s = store_.story(story);
            if (!s) return;
            hub_->apply_cluster_story(*s);
            continue;
        }
        std::vector<Event> events = store_.events_since(story, *seq, catch_up_batch);
        if (events.empty()) {
            auto s = store_.story(story);
            if (s && s->seq > *seq) hub_->catch_up_from_store(story);  // trimmed away entirely
            return;
        }
        if (events.front().seq != *seq + 1) {
            hub_->catch_up_from_store(story);
            return;
        }
        for (auto& e : events)
            if (hub_->apply_cluster_event(e) == ApplyResult::gap) {
                hub_->catch_up_from_store(story);
                return;
            }
        if (events.size() < catch_up_batch) return;
    }
}

void RedisFeed::sync_stories() {
    for (auto& s : store_.stories()) hub_->apply_cluster_story(s);
}

// This node's counts out, every node's counts in. A node that stops
// reporting (killed) drops out once its counts expire.
void RedisFeed::exchange_presence() {
    std::unordered_map<std::string, std::size_t> local;
    {
        std::lock_guard lock(mutex_);
        local = local_viewers_;
    }
    const Millis now = now_millis();
    const Millis expires = now + 3 * options_.presence_interval.count();
    std::vector<std::vector<std::string>> writes;
    for (auto& [story, n] : local)
        writes.push_back({"HSET", options_.prefix + "viewers:" + story, node_id_,
                          std::to_string(n) + " " + std::to_string(expires)});
    for (auto& story : reported_)
        if (!local.count(story)) writes.push_back({"HDEL", options_.prefix + "viewers:" + story, node_id_});
    reported_.clear();
    for (auto& [story, n] : local) reported_.insert(story);
    std::vector<std::string> order;
    for (auto& [story, n] : local) {
        writes.push_back({"HGETALL", options_.prefix + "viewers:" + story});
        order.push_back(story);
    }
    if (writes.empty()) return;
    auto replies = commands_.pipeline(writes);
    std::unordered_map<std::string, std::size_t> totals;
    std::vector<std::vector<std::string>> expired;
    const std::size_t first_read = replies.size() - order.size();
    for (std::size_t i = 0; i < order.size(); ++i) {
        const redis::Value& fields = replies[first_read + i];
        std::size_t sum = 0;
        for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
            long long count = 0, until = 0;
            if (std::sscanf(fields[f + 1].str.c_str(), "%lld %lld", &count, &until) != 2) continue;
            if (until < now)
                expired.push_back({"HDEL", options_.prefix + "viewers:" + order[i], fields[f].str});
            else
                sum += static_cast<std::size_t>(std::max(0LL, count));
        }
        totals[order[i]] = sum;
    }
    if (!expired.empty()) commands_.pipeline(expired);
    std::lock_guard lock(mutex_);
    cluster_viewers_ = std::move(totals);
}

}  // namespace liveblog
