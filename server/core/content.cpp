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

nlohmann::json corrections_to_storage(const std::vector<Correction>& cs) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : cs) out.push_back({{"at", c.at}, {"note", c.note}});
    return out;
}

std::vector<Correction> corrections_from_storage(const nlohmann::json& j) {
    std::vector<Correction> out;
    for (const auto& c : j) out.push_back({c.at("at").get<Millis>(), c.at("note").get<std::string>()});
    return out;
}

}  // namespace liveblog
