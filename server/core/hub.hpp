#pragma once
// The hub: what every story looks like right now, and the fan-out of its
// events to the shards.
//
// - Editors' commands go to the storage thread (StorageWriter); after commit
//   the hub encodes each event once and posts that one frame to every shard.
// - Readers subscribe on their shard's thread; the hub decides how they catch
//   up (core/recovery) and registers them in their shard's index.
//
// Locking: one mutex guards the story table (seq, ring, caches, viewers).
// publish() holds it while posting to the shards, and subscribe() holds it
// while registering, so a subscriber registered at seq S receives every event
// after S through its shard, and the catch-up covers up to at least S (the
// seq filter in deliver_to_index drops what both deliver). The fan-out
// itself (walking a shard's index) takes no lock.
//
// Store reads (snapshots, replay beyond memory) run on a reader thread,
// never on an I/O thread; their result comes back through `later`.
//
// Cluster mode (a ClusterFeed is attached): other nodes commit too. A story
// is "followed" while this node has readers for it: the feed then delivers
// every event of it, in seq order (apply_cluster_event), and the hub keeps
// its ring. An event is applied once, whichever way it arrives first (this
// node's commit or the feed), and only right after its predecessor: a gap
// is the feed's to fill. Stories nobody here follows keep only their latest
// state (apply_cluster_story) and no ring, so their catch-ups read the store.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/metrics.hpp"
#include "common/work_queue.hpp"
#include "core/cluster_feed.hpp"
#include "core/command.hpp"
#include "core/event_ring.hpp"
#include "core/recovery.hpp"
#include "core/shard.hpp"
#include "store/storage_writer.hpp"
#include "store/store.hpp"

namespace liveblog {

struct HubConfig {
    std::size_t ring_capacity = 1024;    // events kept in memory per story
    std::size_t ring_max_bytes = 8 << 20;  // ... and their bytes at most
    // A catch-up (snapshot, or the frames of a replay) is at most this many
    // bytes: a replay larger than it is replaced by a snapshot, and a
    // snapshot is sized to fit it. Half the outbound queue, so a reader's
    // catch-up always fits its queue with room for what follows it.
    std::size_t max_catch_up_bytes = 512 << 10;
    std::size_t max_stories = 10000;     // create_story past it: too_many_stories
    std::size_t read_threads = 2;
    std::size_t max_queued_reads = 4096;
    std::size_t max_replay = 500;        // more changed entries than this: snapshot instead
    std::size_t snapshot_entries = 20;
    std::size_t snapshot_pinned = 10;
    std::size_t max_write_batch = 256;
};

// What a (re)subscribing reader is sent before live events: frames in order,
// covering everything up to `seq`, then the story's latest presence.
struct CatchUp {
    std::vector<FramePtr> frames;
    FramePtr presence;  // may be null
    Seq seq = 0;
    std::string epoch;
    RecoveryPlan plan = RecoveryPlan::snapshot;
    bool failed = false;  // the store could not be read: nothing above is valid
};

struct SubscribeResult {
    ErrorCode code = ErrorCode::ok;
    std::string message;
    std::optional<CatchUp> now;  // empty (with ok): `later` will be called from the reader thread
};


// What became of an event handed to the hub.
enum class ApplyResult { applied, already_applied, gap, unknown_story };

class Hub {
public:
    Hub(Store& store, HubConfig config, MetricsRegistry& metrics);
    ~Hub();

    // Before any traffic: the shards to fan out to, and the stories in the store.
    void attach_shards(std::vector<Shard*> shards);
    void attach_feed(ClusterFeed* feed) { feed_ = feed; }
    // The editors' channel: told of every committed desk change (storage
    // thread, after commit, in commit order; in cluster mode also of other
    // nodes' changes, from the feed's thread). Set before any traffic.
    void set_desk_listener(std::function<void(const DeskChange&)> listener) { desk_listener_ = std::move(listener); }
    // A desk change another node committed (the feed's thread).
    void apply_cluster_desk_change(const DeskChange& change) {
        if (desk_listener_) desk_listener_(change);
    }
    void load_stories();

    // ---- cluster mode: called by the feed's thread ----
    ApplyResult apply_cluster_event(const Event& event);
    // A story's latest state (new stories, and stories this node does not follow).
    void apply_cluster_story(const Story& story);
    // When the feed cannot fill a gap with exact events (trimmed away): the
    // changes since the hub's seq, compacted, from the store, sent to the
    // story's readers as live events. Blocks on the store.
    void catch_up_from_store(const std::string& story);
    std::optional<Seq> story_seq(const std::string& story) const;

    // ---- readers: called on `shard`'s thread ----
    SubscribeResult subscribe(Shard& shard, Subscription& sub, const ResumePoint& resume,
                              std::function<void(CatchUp)> later);
    void unsubscribe(Shard& shard, Subscription& sub);

    // ---- plain reads (HTTP): results come from the reader thread ----
    // The catch-up a reader resuming from `resume` would get, without
    // subscribing (the story must exist). `failed` is set when the store could
    // not be read or the server is stopping.
    void read_changes(const std::string& story, const ResumePoint& resume, std::function<void(CatchUp)> done);
    // Runs fn on a reader thread (store reads, file reads): never on an I/O
    // thread. fn does not run when the read queue is full or the server is
    // stopping: the caller answers overloaded or shutting_down.
    WorkQueue::Posted run_read(std::function<void()> fn) { return reader_.post(std::move(fn)); }

    // ---- editors: any thread; `done` runs on the storage thread ----
    void submit(Command command, std::function<void(const CommandResult&)> done);
    // Any other write, on the storage thread in order with the commands (see
    // StorageWriter::Job); an event in its result is published.
    void submit_job(StorageWriter::Job job, std::function<void(const CommandResult&)> done) {
        writer_.submit_job(std::move(job), std::move(done));
    }

    // Posts a presence frame for each story whose viewer count changed since
    // the last call. Called every few seconds.
    void broadcast_presence();

    // /readyz: the last commit succeeded, the last probe read the store, and
    // in cluster mode the feed is connected and caught up.
    bool store_ready() const { return writer_.last_commit_ok() && probe_ok_ && (!feed_ || feed_->healthy()); }
    // Reads the store once on the reader thread (called periodically).
    void probe_store();

    bool has_story(const std::string& id) const;
    std::optional<Story> story(const std::string& id) const;
    std::vector<Story> stories() const;  // newest first
    // Viewer counts of the `top` most followed stories, most first.
    std::vector<std::pair<std::string, std::size_t>> top_viewers(std::size_t top) const;
    std::size_t viewers(const std::string& id) const;
    Store& store() { return store_; }

    // Commits queued writes and stops the storage and reader threads.
    void stop();

private:
    struct StoryState {
        Story story;
        EventRing ring;
        FramePtr snapshot;       // cached snapshot at story.seq, or null
        // Subscribers waiting for the snapshot being read: one store read
        // serves them all (a push notification sends thousands at once).
        // Each waits for a snapshot at or after the seq it registered at.
        struct SnapshotWaiter {
            Seq registered_at;
            std::function<void(CatchUp)> done;
        };
        std::vector<SnapshotWaiter> snapshot_waiters;
        FramePtr presence;       // last presence frame broadcast
        std::size_t viewers = 0;            // local readers
        std::size_t viewers_broadcast = 0;  // the count last sent (cluster-wide in cluster mode)
        bool followed = false;              // cluster mode: the feed delivers its events
        StoryState(Story s, const HubConfig& c) : story(std::move(s)), ring(c.ring_capacity, c.ring_max_bytes) {}
    };

    void publish(const CommandResult& result);  // storage thread, after commit
    void add_story(const Story& story);
    // Applies one event to its story and fans it out; with `skip_ok` the seq
    // may jump (compacted catch-ups). Caller holds mutex_.
    ApplyResult apply_locked(const Event& event, const FramePtr& frame, bool skip_ok = false);
    bool keeps_ring(const StoryState& st) const { return !feed_ || st.followed; }
    void fan_out(const FramePtr& frame);        // caller holds mutex_
    // The changes after `since`, compacted into events (latest per entry, story
    // meta last changed), up to the story's seq as read; at most `limit` changed entries
    // (`too_many` past it).
    struct StoreChanges {
        Story story;
        std::vector<Event> events;
        bool too_many = false;
    };
    std::optional<StoreChanges> read_store_changes(const std::string& story, Seq since, std::size_t limit);
    // Never throws: a store failure comes back as CatchUp::failed.
    CatchUp read_catch_up(const std::string& story, RecoveryPlan plan, Seq since);
    CatchUp read_changes_from_store(const std::string& story, Seq since);
    CatchUp read_snapshot(const std::string& story);
    // Joins (or starts) the story's coalesced snapshot read. Caller holds
    // mutex_ (through `lock`, released before posting); false when the read
    // could not be queued (`why`).
    bool await_snapshot(StoryState& st, Seq registered_at, std::function<void(CatchUp)> done,
                        WorkQueue::Posted& why);
    void start_snapshot_read(const std::string& story);
    void finish_snapshot_read(const std::string& story, CatchUp c);
    // What memory serves under `plan` (mutex_ held): the ring's events since
    // the resume point if they fit max_catch_up_bytes, else (and for a
    // snapshot) the cached snapshot frame if there is one. Its plan is the
    // one to follow: a replay too large to send becomes a snapshot.
    CatchUp catch_up_from_memory(StoryState& st, RecoveryPlan plan, const ResumePoint& resume);
    bool fits_catch_up(const std::vector<FramePtr>& frames) const;

    Store& store_;
    HubConfig config_;
    std::vector<Shard*> shards_;
    ClusterFeed* feed_ = nullptr;
    std::function<void(const DeskChange&)> desk_listener_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::unique_ptr<StoryState>> stories_;
    std::atomic<bool> probe_ok_{true};
    Counter& events_published_;
    Counter& snapshots_read_;        // catch-ups by kind
    Counter& replays_from_memory_;
    Counter& replays_from_store_;
    Counter& store_errors_;
    Histogram& commit_seconds_;
    Histogram& ack_seconds_;
    WorkQueue reader_;
    StorageWriter writer_;
};

}  // namespace liveblog
