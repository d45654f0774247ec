#include "core/revision.hpp"

#include "common/clock.hpp"

namespace liveblog {

using nlohmann::json;

std::string revision_group(const std::string& story, const std::string& entry_id) { return story + "/" + entry_id; }

namespace {
std::string padded(std::uint32_t v) {
    std::string s = std::to_string(v);
    return std::string(s.size() < 10 ? 10 - s.size() : 0, '0') + s;
}
}  // namespace

Record to_record(const Revision& r) {
    json j{{"story", r.story},   {"entry_id", r.entry_id}, {"version", r.version}, {"at", r.at},
           {"by", r.by},         {"action", r.action},     {"title", r.title ? json(*r.title) : json(nullptr)},
           {"key_event", r.key_event}, {"pinned", r.pinned}, {"blocks", r.blocks}};
    if (r.correction) j["correction"] = *r.correction;
    if (r.state) j["state"] = *r.state;
    if (r.comment) j["comment"] = *r.comment;
    if (r.publish_at) j["publish_at"] = *r.publish_at;
    if (r.restores) j["restores"] = *r.restores;
    return Record{revision_group(r.story, r.entry_id) + "/" + padded(r.version), revision_group(r.story, r.entry_id),
                  j.dump()};
}

Revision revision_from(const Record& rec) {
    try {
        json j = json::parse(rec.body);
        Revision r;
        r.story = j.at("story").get<std::string>();
        r.entry_id = j.at("entry_id").get<std::string>();
        r.version = j.at("version").get<std::uint32_t>();
        r.at = j.at("at").get<Millis>();
        r.by = j.at("by").get<std::string>();
        r.action = j.at("action").get<std::string>();
        if (!j.at("title").is_null()) r.title = j.at("title").get<std::string>();
        r.key_event = j.at("key_event").get<bool>();
        r.pinned = j.at("pinned").get<bool>();
        r.blocks = j.at("blocks");
        if (j.contains("correction")) r.correction = j.at("correction").get<std::string>();
        if (j.contains("state")) r.state = j.at("state").get<std::string>();
        if (j.contains("comment")) r.comment = j.at("comment").get<std::string>();
        if (j.contains("publish_at")) r.publish_at = j.at("publish_at").get<Millis>();
        if (j.contains("restores")) r.restores = j.at("restores").get<std::uint32_t>();
        return r;
    } catch (const json::exception& e) {
        throw StoreFailure("unreadable revision '" + rec.key + "': " + e.what());
    }
}

json revision_json(const Revision& r) {
    json j{{"version", r.version}, {"at", format_iso8601(r.at)}, {"by", r.by},       {"action", r.action},
           {"key_event", r.key_event}, {"pinned", r.pinned}, {"blocks", r.blocks}};
    if (r.title) j["title"] = *r.title;
    if (r.correction) j["correction"] = *r.correction;
    if (r.state) j["state"] = *r.state;
    if (r.comment) j["comment"] = *r.comment;
    if (r.publish_at) j["publish_at"] = format_iso8601(*r.publish_at);
    if (r.restores) j["restores"] = *r.restores;
    return j;
}

void save_revision(StoreTxn& txn, const Revision& r) { txn.save_record(revisions_collection, to_record(r)); }

void record_revision(StoreTxn& txn, const Command& command, const CommandResult& result, Millis now) {
    if (!result.ok() || !result.event || result.entry_id.empty()) return;
    const std::string& story = command_story(command);
    auto entry = txn.load_entry(story, result.entry_id);  // as this transaction left it
    if (!entry) return;
    Revision r;
    r.story = story;
    r.entry_id = entry->id;
    r.version = entry->version;
    r.at = now;
    r.title = entry->title;
    r.key_event = entry->key_event;
    r.pinned = entry->pinned;
    r.blocks = entry->blocks;
    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, PostEntry>) {
                r.action = "created";
                r.by = c.actor.empty() ? c.author : c.actor;
            } else if constexpr (std::is_same_v<T, UpdateEntry>) {
                r.action = c.correction ? "corrected" : c.restores ? "restored" : "edited";
                r.correction = c.correction;
                r.restores = c.restores;
                r.by = c.actor;
            } else if constexpr (std::is_same_v<T, DeleteEntry>) {
                r.action = "deleted";
                r.by = c.actor;
            } else if constexpr (std::is_same_v<T, SetPinned>) {
                r.action = c.pinned ? "pinned" : "unpinned";
                r.by = c.actor;
            }
        },
        command);
    if (r.action.empty()) return;  // a story command, or the desk's (desk_rules records its own)
    save_revision(txn, r);
}

}  // namespace liveblog
