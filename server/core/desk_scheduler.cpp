#include "core/desk_scheduler.hpp"

#include <algorithm>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "core/desk.hpp"

namespace liveblog {

namespace {
// Due items submitted per pass at most: a backlog (a long outage) drains
// over a few passes instead of flooding the storage queue.
constexpr std::size_t max_per_pass = 50;
}  // namespace

DeskScheduler::DeskScheduler(Hub& hub, std::chrono::milliseconds interval, Published published)
    : hub_(hub), interval_(interval), published_(std::move(published)) {}

DeskScheduler::~DeskScheduler() { stop(); }

void DeskScheduler::start() {
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            const auto next = run_once();
            lock.lock();
            auto wait = interval_;
            if (next) wait = std::clamp(std::chrono::milliseconds(*next - now_millis()), std::chrono::milliseconds(0), interval_);
            wake_.wait_for(lock, wait, [this] { return stopping_; });
        }
    });
}

void DeskScheduler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::optional<Millis> DeskScheduler::run_once() {
    std::vector<Record> due;
    const Millis now = now_millis();
    try {
        RecordQuery q;
        q.collection = schedule_collection;
        q.group = schedule_group;
        q.limit = max_per_pass;
        due = hub_.store().records(q);
    } catch (const StoreFailure& e) {
        auto t = std::chrono::steady_clock::now();
        if (t - last_error_log_ > std::chrono::seconds(10)) {
            last_error_log_ = t;
            log_error("scheduler: cannot read the schedule: ", e.what());
        }
        return std::nullopt;
    }
    for (const auto& rec : due) {
        ScheduleRef ref;
        try {
            ref = schedule_ref_from(rec);
        } catch (const StoreFailure& e) {
            log_error("scheduler: ", e.what());
            continue;
        }
        if (ref.publish_at > now) return ref.publish_at;  // in time order: the rest are later
        const std::string key = desk_key(ref.story, ref.id);
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || !in_flight_.insert(key).second) continue;
        }
        DeskCommand c;
        c.action = DeskAction::publish;
        c.story = ref.story;
        c.draft_id = ref.id;
        c.by_scheduler = true;
        c.publish_at = ref.publish_at;
        c.actor = "liveblog";
        hub_.submit(std::move(c), [this, key](const CommandResult& r) {
            if (r.ok() && r.event && published_) published_(r);
            if (!r.ok() && r.code != ErrorCode::shutting_down)
                log_error("scheduler: publishing ", key, " failed: ", r.message);
            std::lock_guard lock(mutex_);
            in_flight_.erase(key);
        });
    }
    return std::nullopt;
}

}  // namespace liveblog
