#include "protocol/codec.hpp"

#include "core/desk.hpp"

#include "common/clock.hpp"

namespace liveblog {

namespace {
// Invalid UTF-8 cannot reach here (inputs are validated), but a dump must
// never throw on the publish path: replace rather than abort.
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }
}  // namespace

nlohmann::json story_json(const Story& s) {
    nlohmann::json j{
        {"id", s.id},
        {"title", s.title},
        {"summary", s.summary},
        {"lang", s.lang},
        {"status", to_string(s.status)},
        {"created_at", format_iso8601(s.created_at)},
        {"updated_at", format_iso8601(s.updated_at)},
        {"seq", s.seq},
        {"epoch", s.epoch},
    };
    // Absent when there are none: stories without furniture are as before.
    if (s.lead_image.is_object()) j["lead_image"] = s.lead_image;
    if (s.related.is_array() && !s.related.empty()) j["related"] = s.related;
    return j;
}

nlohmann::json entry_json(const Entry& e) {
    nlohmann::json j{
        {"id", e.id},
        {"story", e.story},
        {"version", e.version},
        {"created_seq", e.created_seq},
        {"published_at", format_iso8601(e.published_at)},
        {"updated_at", format_iso8601(e.updated_at)},
        {"author", {{"name", e.author}}},
        {"key_event", e.key_event},
        {"pinned", e.pinned},
        {"blocks", e.blocks},
    };
    if (e.title) j["title"] = *e.title;
    // Absent when there is none: entries without corrections are as before.
    if (!e.corrections.empty()) {
        nlohmann::json cs = nlohmann::json::array();
        for (const auto& c : e.corrections) cs.push_back({{"at", format_iso8601(c.at)}, {"note", c.note}});
        j["corrections"] = std::move(cs);
    }
    return j;
}

nlohmann::json event_json(const Event& e) {
    nlohmann::json j{{"type", "event"}, {"story", e.story}, {"seq", e.seq}, {"op", to_string(e.op)}};
    switch (e.op) {
        case EventOp::entry_created:
        case EventOp::entry_updated: j["entry"] = entry_json(*e.entry); break;
        case EventOp::entry_deleted: j["entry_id"] = e.entry_id; break;
        case EventOp::story_updated: j["story_state"] = story_json(*e.story_state); break;
    }
    return j;
}

std::string encode_desk_change(const DeskChange& c) { return dump(desk_change_json(c)); }

FramePtr encode_event(const Event& e) { return make_shared_frame(e.story, e.seq, dump(event_json(e))); }

FramePtr encode_snapshot(const StorySnapshot& s, std::size_t max_bytes) {
    // Keys in the order nlohmann writes an object's (sorted), as before sizing.
    const std::string story = dump(story_json(s.story));
    constexpr std::size_t frame_text = sizeof(R"({"entries":[],"has_more":false,"pinned":[],"story":,"type":"snapshot"})");
    std::size_t used = frame_text + story.size();
    bool left_out = false;
    auto take = [&](const std::vector<Entry>& from) {
        std::string list;
        for (const auto& e : from) {
            std::string one = dump(entry_json(e));
            if (used + one.size() + 1 > max_bytes) {
                left_out = true;
                break;  // newest first: an older one must not stand where a newer was left out
            }
            used += one.size() + 1;
            if (!list.empty()) list += ',';
            list += one;
        }
        return list;
    };
    const std::string pinned = take(s.pinned);
    const std::string entries = take(s.page.entries);
    std::string text;
    text.reserve(used);
    text.append(R"({"entries":[)").append(entries).append(R"(],"has_more":)");
    text.append(s.page.has_more || left_out ? "true" : "false");
    text.append(R"(,"pinned":[)").append(pinned).append(R"(],"story":)").append(story);
    text.append(R"(,"type":"snapshot"})");
    // A snapshot carries the story's seq, so the frame sorts with the events.
    return make_shared_frame(s.story.id, s.story.seq, text);
}

FramePtr encode_presence(const std::string& story, std::size_t viewers) {
    nlohmann::json j{{"type", "presence"}, {"story", story}, {"viewers", viewers}};
    return make_shared_frame(story, 0, dump(j));
}

std::string encode_error(ErrorCode code, std::string_view message, const nlohmann::json& request_id) {
    return encode_result(request_id, CommandResult::failure(code, std::string(message)));
}

std::string encode_result(const nlohmann::json& request_id, const CommandResult& r) {
    if (!r.ok()) {
        nlohmann::json j{{"type", "error"}, {"code", wire_name(r.code)}, {"message", r.message}};
        if (!request_id.is_null()) j["request_id"] = request_id;
        if (error_info(r.code).retryable) j["retryable"] = true;
        if (r.code == ErrorCode::version_conflict) {
            j["entry_id"] = r.entry_id;
            j["current_version"] = r.version;
        }
        return dump(j);
    }
    nlohmann::json j{{"type", "ack"}, {"request_id", request_id}, {"seq", r.seq}};
    if (r.story) j["story"] = story_json(*r.story);
    if (!r.entry_id.empty()) {
        j["entry_id"] = r.entry_id;
        j["version"] = r.version;
    }
    if (r.desk) {
        // A desk command: the item, its version and state (none once it left the desk).
        j["draft_id"] = r.desk->draft_id;
        j["version"] = r.version;
        if (r.desk->item) j["state"] = (*r.desk->item)["state"];
    }
    if (r.duplicate) j["duplicate"] = true;
    return dump(j);
}

}  // namespace liveblog
