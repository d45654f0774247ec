#include "core/content.hpp"

namespace liveblog {

std::string Event::compaction_key() const {
    switch (op) {
        case EventOp::story_updated: return {};  // entry ids are never empty
        case EventOp::entry_deleted: return entry_id;
        default: return entry ? entry->id : entry_id;
    }
}

const char* to_string(StoryStatus s) {
    switch (s) {
        case StoryStatus::live: return "live";
        case StoryStatus::paused: return "paused";
        case StoryStatus::ended: return "ended";
    }
    return "live";
}

std::optional<StoryStatus> parse_story_status(std::string_view s) {
    if (s == "live") return StoryStatus::live;
    if (s == "paused") return StoryStatus::paused;
    if (s == "ended") return StoryStatus::ended;
    return std::nullopt;
}

const char* to_string(EventOp op) {
    switch (op) {
        case EventOp::entry_created: return "entry.created";
        case EventOp::entry_updated: return "entry.updated";
        case EventOp::entry_deleted: return "entry.deleted";
        case EventOp::story_updated: return "story.updated";
    }
    return "";
}

}  // namespace liveblog
