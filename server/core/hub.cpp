#include "core/hub.hpp"

#include <algorithm>

#include "common/log.hpp"
#include "protocol/codec.hpp"

namespace liveblog {

Hub::Hub(Store& store, HubConfig config, MetricsRegistry& metrics)
    : store_(store),
      config_(config),
      events_published_(metrics.counter("liveblog_events_published_total", "Events committed and fanned out")),
      snapshots_read_(metrics.counter("liveblog_catch_ups_total", "Reader catch-ups by how they were served",
                                      {{"kind", "snapshot_from_store"}})),
      replays_from_memory_(metrics.counter("liveblog_catch_ups_total", "Reader catch-ups by how they were served",
                                           {{"kind", "replay_from_memory"}})),
      replays_from_store_(metrics.counter("liveblog_catch_ups_total", "Reader catch-ups by how they were served",
                                          {{"kind", "replay_from_store"}})),
      store_errors_(metrics.counter("liveblog_store_errors_total", "Store commits that failed")),
      commit_seconds_(metrics.histogram("liveblog_store_commit_seconds", "Duration of one store commit (a batch)",
                                        Histogram::default_latency_bounds())),
      ack_seconds_(metrics.histogram("liveblog_publish_to_ack_seconds",
                                     "From an editor command's arrival at the storage thread to its ack",
                                     Histogram::default_latency_bounds())),
      reader_("store-reader", config.read_threads, config.max_queued_reads),
      writer_(
          store, [this](const CommandResult& r) { publish(r); }, config.max_write_batch,
          [this](const StorageWriter::BatchReport& r) {
              commit_seconds_.observe(r.commit_seconds);
              if (!r.ok) store_errors_.inc();
              for (double s : r.ack_seconds) ack_seconds_.observe(s);
          }) {}

Hub::~Hub() { stop(); }

void Hub::attach_shards(std::vector<Shard*> shards) { shards_ = std::move(shards); }

void Hub::load_stories() {
    auto stories = store_.stories();
    std::lock_guard lock(mutex_);
    for (auto& s : stories) {
        std::string id = s.id;
        stories_[id] = std::make_unique<StoryState>(std::move(s), config_);
    }
}

void Hub::stop() {
    writer_.stop();
    reader_.stop();
}

// ---------------------------------------------------------------------------
// Editors
// ---------------------------------------------------------------------------

void Hub::submit(Command command, std::function<void(const CommandResult&)> done) {
    if (std::holds_alternative<CreateStory>(command)) {
        std::size_t count;
        {
            std::lock_guard lock(mutex_);
            count = stories_.size();
        }
        // Every story costs memory on every node for as long as it lives.
        if (count >= config_.max_stories)
            return done(CommandResult::failure(ErrorCode::too_many_stories,
                                               "this server holds " + std::to_string(config_.max_stories) +
                                                   " stories, its limit (max_stories)"));
    }
    writer_.submit(std::move(command), std::move(done));
}

void Hub::publish(const CommandResult& r) {
    if (r.desk && desk_listener_) desk_listener_(*r.desk);
    if (!r.event) {
        if (r.story) add_story(*r.story);  // create_story: a new story, no event yet
        return;
    }
    FramePtr frame = encode_event(*r.event);  // once, for every reader on every shard
    std::lock_guard lock(mutex_);
    // In cluster mode an event of another node may not have reached this one
    // yet (a gap): the feed delivers both in order.
    apply_locked(*r.event, frame);
}

void Hub::add_story(const Story& story) {
    std::lock_guard lock(mutex_);
    auto& slot = stories_[story.id];
    if (!slot) slot = std::make_unique<StoryState>(story, config_);
}

ApplyResult Hub::apply_locked(const Event& event, const FramePtr& frame, bool skip_ok) {
    auto it = stories_.find(event.story);
    if (it == stories_.end()) return ApplyResult::unknown_story;
    StoryState& st = *it->second;
    if (event.seq <= st.story.seq) return ApplyResult::already_applied;
    if (event.seq != st.story.seq + 1 && !skip_ok) return ApplyResult::gap;
    if (event.story_state)
        st.story = *event.story_state;
    else {
        st.story.seq = event.seq;
        st.story.updated_at = event.entry ? event.entry->updated_at : st.story.updated_at;
    }
    if (keeps_ring(st)) st.ring.push(event.compaction_key(), frame);
    st.snapshot.reset();
    events_published_.inc();
    fan_out(frame);
    return ApplyResult::applied;
}

ApplyResult Hub::apply_cluster_event(const Event& event) {
    FramePtr frame = encode_event(event);
    std::lock_guard lock(mutex_);
    return apply_locked(event, frame);
}

void Hub::apply_cluster_story(const Story& story) {
    std::lock_guard lock(mutex_);
    auto& slot = stories_[story.id];
    if (!slot) {
        slot = std::make_unique<StoryState>(story, config_);
        return;
    }
    StoryState& st = *slot;
    // A followed story is kept current by its events, which readers must see.
    if (st.followed || story.seq <= st.story.seq) return;
    st.story = story;
    st.snapshot.reset();
}

void Hub::catch_up_from_store(const std::string& story) {
    std::optional<Seq> since = story_seq(story);
    if (!since) return;
    // Every change, however many: these go to live readers, who cannot be
    // sent a snapshot instead (a million is more entries than any story has).
    constexpr std::size_t every_change = 1'000'000;
    auto changes = read_store_changes(story, *since, every_change);
    if (!changes) return;
    std::vector<FramePtr> frames;
    for (auto& e : changes->events) frames.push_back(encode_event(e));
    std::lock_guard lock(mutex_);
    auto it = stories_.find(story);
    if (it == stories_.end()) return;
    for (std::size_t i = 0; i < frames.size(); ++i) apply_locked(changes->events[i], frames[i], true);
    if (changes->story.seq > it->second->story.seq) it->second->story = changes->story;
    // The ring now has holes where changes were compacted: resumes read the store.
    it->second->ring.clear();
}

std::optional<Seq> Hub::story_seq(const std::string& story) const {
    std::lock_guard lock(mutex_);
    auto it = stories_.find(story);
    if (it == stories_.end()) return std::nullopt;
    return it->second->story.seq;
}

void Hub::fan_out(const FramePtr& frame) {
    for (Shard* shard : shards_)
        shard->post([shard, frame] { deliver_to_index(shard->index, frame); });
}

// ---------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------

SubscribeResult Hub::subscribe(Shard& shard, Subscription& sub, const ResumePoint& resume,
                               std::function<void(CatchUp)> later) {
    SubscribeResult result;
    std::unique_lock lock(mutex_);
    auto it = stories_.find(sub.story);
    if (it == stories_.end()) {
        result.code = ErrorCode::unknown_story;
        result.message = "no story '" + sub.story + "'";
        return result;
    }
    StoryState& st = *it->second;
    StoryPosition pos{st.story.seq, st.story.epoch, st.ring.oldest_seq(st.story.seq + 1)};
    RecoveryPlan plan = plan_recovery(resume, pos);

    sub.last_seq = st.story.seq;
    st.viewers += 1;
    shard.index.add(sub);
    if (feed_ && !st.followed) {  // the first reader here: follow the story's events from now
        st.followed = true;
        st.ring.clear();
        feed_->follow(sub.story);
    }

    CatchUp now = catch_up_from_memory(st, plan, resume);
    plan = now.plan;
    auto refuse = [&result](WorkQueue::Posted why) {
        result.code = why == WorkQueue::Posted::full ? ErrorCode::overloaded : ErrorCode::shutting_down;
        result.message = why == WorkQueue::Posted::full ? "too many reads waiting; subscribe again later"
                                                        : "the server is shutting down";
        return result;
    };
    if (plan == RecoveryPlan::snapshot && !st.snapshot) {
        sub.catching_up = true;
        WorkQueue::Posted why;
        if (!await_snapshot(st, st.story.seq, std::move(later), why)) return refuse(why);
        return result;
    }
    if (plan == RecoveryPlan::replay_store) {
        sub.catching_up = true;
        Seq since = resume.since.value_or(0);
        std::string story = sub.story;
        lock.unlock();
        auto why = reader_.post([this, story, since, later = std::move(later)] {
            later(read_catch_up(story, RecoveryPlan::replay_store, since));
        });
        if (why != WorkQueue::Posted::queued) return refuse(why);
        return result;
    }
    now.presence = st.presence;
    result.now = std::move(now);
    return result;
}

CatchUp Hub::catch_up_from_memory(StoryState& st, RecoveryPlan plan, const ResumePoint& resume) {
    CatchUp c;
    c.seq = st.story.seq;
    c.epoch = st.story.epoch;
    c.plan = plan;
    if (plan == RecoveryPlan::replay_memory) {
        c.frames = st.ring.since(*resume.since);
        if (fits_catch_up(c.frames)) {
            replays_from_memory_.inc();
        } else {  // too many bytes to replay: a snapshot, sized to fit, instead
            c.frames.clear();
            c.plan = RecoveryPlan::snapshot;
        }
    }
    if (c.plan == RecoveryPlan::snapshot && st.snapshot) c.frames.push_back(st.snapshot);
    return c;
}

bool Hub::fits_catch_up(const std::vector<FramePtr>& frames) const {
    std::size_t bytes = 0;
    for (const auto& f : frames) bytes += f->ws.size();
    return bytes <= config_.max_catch_up_bytes;
}

bool Hub::await_snapshot(StoryState& st, Seq registered_at, std::function<void(CatchUp)> done,
                         WorkQueue::Posted& why) {
    const bool first = st.snapshot_waiters.empty();
    st.snapshot_waiters.push_back({registered_at, std::move(done)});
    if (!first) return true;  // a read is on its way: it serves this one too
    why = reader_.post([this, story = st.story.id] { start_snapshot_read(story); });
    if (why == WorkQueue::Posted::queued) return true;
    st.snapshot_waiters.clear();  // only this one was waiting
    return false;
}

void Hub::start_snapshot_read(const std::string& story) {
    CatchUp c = read_catch_up(story, RecoveryPlan::snapshot, 0);
    finish_snapshot_read(story, std::move(c));
}

void Hub::finish_snapshot_read(const std::string& story, CatchUp c) {
    std::vector<StoryState::SnapshotWaiter> served, again;
    {
        std::lock_guard lock(mutex_);
        auto it = stories_.find(story);
        if (it == stories_.end()) return;
        for (auto& w : it->second->snapshot_waiters)
            // A subscriber that registered after the store was read would miss
            // the events in between: it waits for the next read.
            (c.failed || w.registered_at <= c.seq ? served : again).push_back(std::move(w));
        it->second->snapshot_waiters = std::move(again);
        if (!it->second->snapshot_waiters.empty()) {
            auto why = reader_.post([this, story] { start_snapshot_read(story); });
            if (why != WorkQueue::Posted::queued) {  // cannot happen but at shutdown: fail them
                for (auto& w : it->second->snapshot_waiters) served.push_back(std::move(w));
                it->second->snapshot_waiters.clear();
                c.failed = true;
            }
        }
    }
    for (auto& w : served) w.done(c);
}

void Hub::unsubscribe(Shard& shard, Subscription& sub) {
    if (!sub.indexed) return;
    shard.index.remove(sub);
    std::lock_guard lock(mutex_);
    auto it = stories_.find(sub.story);
    if (it == stories_.end() || it->second->viewers == 0) return;
    StoryState& st = *it->second;
    st.viewers -= 1;
    if (feed_ && st.viewers == 0 && st.followed) {  // the last reader here left
        st.followed = false;
        st.ring.clear();
        feed_->unfollow(sub.story);
    }
}

CatchUp Hub::read_snapshot(const std::string& story) {
    CatchUp c;
    c.plan = RecoveryPlan::snapshot;
    auto snap = store_.snapshot(story, config_.snapshot_entries, config_.snapshot_pinned);
    if (!snap) return c;  // the story vanished: cannot happen, stories are never removed
    FramePtr frame = encode_snapshot(*snap, config_.max_catch_up_bytes);
    c.seq = snap->story.seq;
    c.epoch = snap->story.epoch;
    c.frames.push_back(frame);
    std::lock_guard lock(mutex_);
    snapshots_read_.inc();
    auto it = stories_.find(story);
    if (it != stories_.end()) {
        // Only a snapshot of the current seq may serve later subscribers.
        if (it->second->story.seq == c.seq) it->second->snapshot = frame;
        c.presence = it->second->presence;
    }
    return c;
}

CatchUp Hub::read_catch_up(const std::string& story, RecoveryPlan plan, Seq since) {
    try {
        return plan == RecoveryPlan::snapshot ? read_snapshot(story) : read_changes_from_store(story, since);
    } catch (const std::exception& e) {
        log_error("store: read for '", story, "' failed: ", e.what());
        CatchUp failed;
        failed.failed = true;
        return failed;
    }
}

std::optional<Hub::StoreChanges> Hub::read_store_changes(const std::string& story, Seq since, std::size_t limit) {
    // Read the story first, then the entries, and keep only changes up to
    // the story's seq: a consistent cut even if writes land in between (later
    // changes reach the reader live, as held frames).
    auto s = store_.story(story);
    if (!s) return std::nullopt;
    StoreChanges out;
    auto changed = store_.changed_since(story, since, limit);
    if (!replay_is_worth_it(changed.size(), limit)) {
        out.too_many = true;
        return out;
    }
    for (auto& e : changed) {
        if (e.modified_seq > s->seq) continue;
        Event ev;
        ev.story = story;
        ev.seq = e.modified_seq;
        if (e.deleted) {
            if (e.created_seq > since) continue;  // the reader never saw it
            ev.op = EventOp::entry_deleted;
            ev.entry_id = e.id;
        } else {
            ev.op = e.created_seq > since ? EventOp::entry_created : EventOp::entry_updated;
            ev.entry = std::move(e);
        }
        out.events.push_back(std::move(ev));
    }
    if (s->meta_seq > since) {
        Event ev;
        ev.story = story;
        ev.seq = s->meta_seq;
        ev.op = EventOp::story_updated;
        ev.story_state = *s;
        out.events.push_back(std::move(ev));
    }
    std::sort(out.events.begin(), out.events.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
    out.story = std::move(*s);
    return out;
}

CatchUp Hub::read_changes_from_store(const std::string& story, Seq since) {
    auto changes = read_store_changes(story, since, config_.max_replay);
    if (!changes || changes->too_many) return read_snapshot(story);
    CatchUp c;
    c.plan = RecoveryPlan::replay_store;
    c.seq = changes->story.seq;
    c.epoch = changes->story.epoch;
    for (const auto& ev : changes->events) c.frames.push_back(encode_event(ev));
    if (!fits_catch_up(c.frames)) return read_snapshot(story);  // too many bytes to replay
    std::lock_guard lock(mutex_);
    replays_from_store_.inc();
    auto it = stories_.find(story);
    if (it != stories_.end()) c.presence = it->second->presence;
    return c;
}

// ---------------------------------------------------------------------------
// Presence and queries
// ---------------------------------------------------------------------------

void Hub::broadcast_presence() {
    std::lock_guard lock(mutex_);
    if (feed_) {
        std::unordered_map<std::string, std::size_t> local;
        for (auto& [id, st] : stories_)
            if (st->viewers) local.emplace(id, st->viewers);
        feed_->report_viewers(std::move(local));
    }
    for (auto& [id, st] : stories_) {
        // Cluster mode: every node's readers (as last read), and only where
        // someone here is listening.
        std::size_t viewers = st->viewers;
        if (feed_ && viewers) viewers = feed_->cluster_viewers(id).value_or(viewers);
        if (viewers == st->viewers_broadcast) continue;
        st->viewers_broadcast = viewers;
        st->presence = encode_presence(id, viewers);
        fan_out(st->presence);
    }
}

void Hub::read_changes(const std::string& story, const ResumePoint& resume, std::function<void(CatchUp)> done) {
    RecoveryPlan plan;
    {
        std::unique_lock lock(mutex_);
        auto it = stories_.find(story);
        if (it == stories_.end()) {
            CatchUp none;
            none.failed = true;
            return done(std::move(none));
        }
        StoryState& st = *it->second;
        plan = plan_recovery(resume, {st.story.seq, st.story.epoch, st.ring.oldest_seq(st.story.seq + 1)});
        CatchUp c = catch_up_from_memory(st, plan, resume);
        plan = c.plan;
        if (plan == RecoveryPlan::up_to_date || plan == RecoveryPlan::replay_memory ||
            (plan == RecoveryPlan::snapshot && st.snapshot)) {
            lock.unlock();
            return done(std::move(c));
        }
        if (plan == RecoveryPlan::snapshot) {
            WorkQueue::Posted why;
            if (await_snapshot(st, st.story.seq, done, why)) return;
            CatchUp refused;
            refused.failed = true;
            lock.unlock();
            return done(std::move(refused));
        }
    }
    Seq since = resume.since.value_or(0);
    if (reader_.post([this, story, plan, since, done] { done(read_catch_up(story, plan, since)); }) !=
        WorkQueue::Posted::queued) {
        CatchUp refused;
        refused.failed = true;
        done(std::move(refused));
    }
}

std::vector<Story> Hub::stories() const {
    std::vector<Story> out;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, st] : stories_) out.push_back(st->story);
    }
    std::sort(out.begin(), out.end(), [](const Story& a, const Story& b) {
        return a.created_at != b.created_at ? a.created_at > b.created_at : a.id < b.id;
    });
    return out;
}

std::vector<std::pair<std::string, std::size_t>> Hub::top_viewers(std::size_t top) const {
    std::vector<std::pair<std::string, std::size_t>> out;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, st] : stories_)
            if (st->viewers) out.emplace_back(id, st->viewers);
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    if (out.size() > top) out.resize(top);
    return out;
}

void Hub::probe_store() {
    reader_.post([this] { probe_ok_ = store_.healthy(); });
}

bool Hub::has_story(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return stories_.count(id) != 0;
}

std::optional<Story> Hub::story(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = stories_.find(id);
    if (it == stories_.end()) return std::nullopt;
    return it->second->story;
}

std::size_t Hub::viewers(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = stories_.find(id);
    return it == stories_.end() ? 0 : it->second->viewers;
}


}  // namespace liveblog
