#pragma once
// How a reader that (re)subscribes catches up: pure decisions, no I/O.
//
// A reader resumes with `since` (the last seq it applied) and `epoch`. It gets
// the events after `since`, compacted: for each entry only its latest event,
// for the story meta only its latest story.updated, in seq order. When that
// cannot be done (no `since`, another epoch, a seq from the future, or more
// changes than a replay is worth) it gets a snapshot instead.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/content.hpp"

namespace liveblog {

struct ResumePoint {
    std::optional<Seq> since;
    std::optional<std::string> epoch;  // none: the reader does not know it (e.g. SSE Last-Event-ID)
};

struct StoryPosition {
    Seq seq = 0;            // the story's latest seq
    std::string epoch;
    Seq oldest_in_memory = 1;  // seq of the oldest event still in memory; seq + 1 when none is
};

enum class RecoveryPlan {
    snapshot,        // send a snapshot; the reader replaces its state
    up_to_date,      // nothing to send
    replay_memory,   // the missed events are all in memory
    replay_store,    // read the changes from the store (a snapshot if too many)
};

RecoveryPlan plan_recovery(const ResumePoint& resume, const StoryPosition& position);

// Compaction: given the keys of a run of events in seq order, the indexes of
// the events to keep (the last one of each key), in order.
std::vector<std::size_t> compact(const std::vector<std::string>& keys);

// Whether `changes` entries changed after `since` are worth replaying rather
// than sending a snapshot; `limit` is the configured maximum replay length.
inline bool replay_is_worth_it(std::size_t changes, std::size_t limit) { return changes <= limit; }

const char* to_string(RecoveryPlan plan);

}  // namespace liveblog
