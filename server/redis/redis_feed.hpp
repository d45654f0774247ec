#pragma once
// The cross-node event feed of cluster mode, on Redis pub/sub plus stream
// catch-up (see docs/protocol.md "Cluster mode" and README "Cluster mode").
//
// Every commit (RedisStore's script) publishes each event on
// P"events:{story}" and each changed story on P"stories", and appends the
// events to the story's stream. This node's feed thread:
//  - is subscribed to P"notices" always: the desk changes other nodes
//    commit, for this node's consoles (the editors' channel); one lost in a
//    reconnect is not replayed (a console reads the desk again on joining a story);
//  - is subscribed to P"stories" always: every node knows every story's
//    latest state (seq, title, status), so ETags and new stories are current;
//  - is subscribed to P"events:{story}" only while the story has local
//    readers (Hub: first/last local reader -> follow/unfollow);
//  - hands events to the hub in order; pub/sub may lose messages (a
//    reconnect, a slow subscriber), so a gap (or a new subscription, or a
//    reconnect) is filled from the stream, and if the stream was trimmed
//    past it, from the store (compacted).
//  - every presence interval, writes this node's viewer counts to
//    P"viewers:{story}" (field = node id, value "count expiry_ms") and reads
//    the other nodes' back: counts of nodes that stopped reporting expire.
// Redis down: the thread reconnects with backoff (0.1 s doubling to 2 s),
// healthy() is false meanwhile (/readyz 503); on reconnect it resubscribes
// and catches every followed story up, so readers see no gap.
//
// Threading: one thread owns both Redis connections. follow(), unfollow()
// and report_viewers() only queue a request and wake it (eventfd).

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/cluster_feed.hpp"
#include "redis/redis_client.hpp"

namespace liveblog {

class Hub;
class RedisStore;

class RedisFeed : public ClusterFeed {
public:
    struct Options {
        std::string prefix = "liveblog:";
        std::chrono::milliseconds timeout{2000};
        std::chrono::milliseconds presence_interval{2000};
    };
    RedisFeed(redis::Endpoint endpoint, RedisStore& store, Options options);
    ~RedisFeed() override;

    void start(Hub& hub);
    void stop();
    const std::string& node_id() const { return node_id_; }

    void follow(const std::string& story) override;
    void unfollow(const std::string& story) override;
    void report_viewers(std::unordered_map<std::string, std::size_t> local) override;
    std::optional<std::size_t> cluster_viewers(const std::string& story) const override;
    bool healthy() const override { return healthy_; }

private:
    struct Request {
        bool follow;
        std::string story;
    };

    void run();
    void session();  // one connection's life; throws redis::RedisError when it is lost
    void take_requests();
    void on_reply(const redis::Value& reply);
    void on_event(const std::string& story, const std::string& payload);
    void on_notice(const std::string& payload);  // P"notices": a desk change of another node
    void catch_up(const std::string& story);
    void sync_stories();
    void exchange_presence();
    void wake();
    void sleep_interruptibly(std::chrono::milliseconds d);

    redis::Endpoint endpoint_;
    RedisStore& store_;
    Options options_;
    const std::string stories_channel_;  // P"stories"
    const std::string notices_channel_;  // P"notices": other nodes' desk changes, for the editors' channel
    const std::string events_prefix_;    // P"events:", then the story id
    std::string node_id_;
    Hub* hub_ = nullptr;

    // Feed thread only.
    redis::Connection pubsub_;                 // in subscribe mode
    redis::Connection commands_;               // presence reads and writes
    std::set<std::string> followed_;
    std::set<std::string> reported_;           // stories this node wrote a count for
    std::chrono::steady_clock::time_point next_presence_{};

    mutable std::mutex mutex_;                 // guards the members below
    std::deque<Request> requests_;
    std::unordered_map<std::string, std::size_t> local_viewers_;
    std::unordered_map<std::string, std::size_t> cluster_viewers_;

    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> healthy_{false};
    std::thread thread_;
};

}  // namespace liveblog
