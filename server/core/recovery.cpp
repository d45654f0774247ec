#include "core/recovery.hpp"

#include <unordered_map>

namespace liveblog {

RecoveryPlan plan_recovery(const ResumePoint& resume, const StoryPosition& position) {
    if (!resume.since) return RecoveryPlan::snapshot;
    if (resume.epoch && *resume.epoch != position.epoch) return RecoveryPlan::snapshot;
    Seq since = *resume.since;
    if (since > position.seq) return RecoveryPlan::snapshot;  // the reader saw a history we no longer have
    if (since == position.seq) return RecoveryPlan::up_to_date;
    if (since + 1 >= position.oldest_in_memory) return RecoveryPlan::replay_memory;
    return RecoveryPlan::replay_store;
}

std::vector<std::size_t> compact(const std::vector<std::string>& keys) {
    std::unordered_map<std::string_view, std::size_t> last;
    last.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) last[keys[i]] = i;
    std::vector<std::size_t> keep;
    keep.reserve(last.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (last[keys[i]] == i) keep.push_back(i);
    return keep;
}

const char* to_string(RecoveryPlan plan) {
    switch (plan) {
        case RecoveryPlan::snapshot: return "snapshot";
        case RecoveryPlan::up_to_date: return "up_to_date";
        case RecoveryPlan::replay_memory: return "replay_memory";
        case RecoveryPlan::replay_store: return "replay_store";
    }
    return "";
}

}  // namespace liveblog
