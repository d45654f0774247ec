#include "core/desk.hpp"

#include <cstdio>

#include "common/clock.hpp"

namespace liveblog {

using nlohmann::json;

const char* to_string(DeskState s) {
    switch (s) {
        case DeskState::draft: return "draft";
        case DeskState::in_review: return "in_review";
        case DeskState::scheduled: return "scheduled";
    }
    return "?";
}

std::optional<DeskState> parse_desk_state(std::string_view s) {
    if (s == "draft") return DeskState::draft;
    if (s == "in_review") return DeskState::in_review;
    if (s == "scheduled") return DeskState::scheduled;
    return std::nullopt;
}

std::string desk_key(const std::string& story, const std::string& id) { return story + "/" + id; }

std::string schedule_key(Millis publish_at, const std::string& story, const std::string& id) {
    char when[24];
    std::snprintf(when, sizeof when, "%013lld", static_cast<long long>(publish_at < 0 ? 0 : publish_at));
    return std::string(when) + "/" + story + "/" + id;
}

Record to_record(const DeskItem& d) {
    json j{{"id", d.id},
           {"story", d.story},
           {"state", to_string(d.state)},
           {"version", d.version},
           {"owner_id", d.owner_id},
           {"owner_name", d.owner_name},
           {"author", d.author},
           {"title", d.title ? json(*d.title) : json(nullptr)},
           {"key_event", d.key_event},
           {"pinned", d.pinned},
           {"blocks", d.blocks},
           {"created_at", d.created_at},
           {"updated_at", d.updated_at},
           {"publish_at", d.publish_at}};
    if (d.comment) j["comment"] = {{"by", d.comment->by}, {"at", d.comment->at}, {"text", d.comment->text}};
    return Record{desk_key(d.story, d.id), d.story, j.dump()};
}

DeskItem desk_item_from(const Record& rec) {
    try {
        json j = json::parse(rec.body);
        DeskItem d;
        d.id = j.at("id").get<std::string>();
        d.story = j.at("story").get<std::string>();
        auto state = parse_desk_state(j.at("state").get<std::string>());
        if (!state) throw StoreFailure("desk item '" + rec.key + "': unknown state");
        d.state = *state;
        d.version = j.at("version").get<std::uint32_t>();
        d.owner_id = j.at("owner_id").get<std::string>();
        d.owner_name = j.at("owner_name").get<std::string>();
        d.author = j.at("author").get<std::string>();
        if (!j.at("title").is_null()) d.title = j.at("title").get<std::string>();
        d.key_event = j.at("key_event").get<bool>();
        d.pinned = j.at("pinned").get<bool>();
        d.blocks = j.at("blocks");
        d.created_at = j.at("created_at").get<Millis>();
        d.updated_at = j.at("updated_at").get<Millis>();
        d.publish_at = j.at("publish_at").get<Millis>();
        if (auto c = j.find("comment"); c != j.end())
            d.comment = DeskComment{c->at("by").get<std::string>(), c->at("at").get<Millis>(),
                                    c->at("text").get<std::string>()};
        return d;
    } catch (const json::exception& e) {
        throw StoreFailure("unreadable desk item '" + rec.key + "': " + e.what());
    }
}

Record schedule_record(const DeskItem& d) {
    json j{{"story", d.story}, {"id", d.id}, {"publish_at", d.publish_at}};
    return Record{schedule_key(d.publish_at, d.story, d.id), schedule_group, j.dump()};
}

ScheduleRef schedule_ref_from(const Record& rec) {
    try {
        json j = json::parse(rec.body);
        return ScheduleRef{j.at("story").get<std::string>(), j.at("id").get<std::string>(),
                           j.at("publish_at").get<Millis>()};
    } catch (const json::exception& e) {
        throw StoreFailure("unreadable schedule record '" + rec.key + "': " + e.what());
    }
}

json desk_item_json(const DeskItem& d) {
    json j{{"id", d.id},
           {"story", d.story},
           {"state", to_string(d.state)},
           {"version", d.version},
           {"owner", {{"id", d.owner_id}, {"name", d.owner_name}}},
           {"author", {{"name", d.author}}},
           {"key_event", d.key_event},
           {"pinned", d.pinned},
           {"blocks", d.blocks},
           {"created_at", format_iso8601(d.created_at)},
           {"updated_at", format_iso8601(d.updated_at)}};
    if (d.title) j["title"] = *d.title;
    if (d.state == DeskState::scheduled) j["publish_at"] = format_iso8601(d.publish_at);
    if (d.comment)
        j["comment"] = {{"by", d.comment->by}, {"at", format_iso8601(d.comment->at)}, {"text", d.comment->text}};
    return j;
}

json desk_change_json(const DeskChange& c) {
    if (c.item) return json{{"type", "desk_item"}, {"story", c.story}, {"item", *c.item}};
    json j{{"type", "desk_removed"}, {"story", c.story}, {"draft_id", c.draft_id}};
    if (!c.published_as.empty()) j["entry_id"] = c.published_as;
    return j;
}

DeskChange desk_change_from_json(const json& j) {
    DeskChange c;
    c.story = j.at("story").get<std::string>();
    const std::string type = j.at("type").get<std::string>();
    if (type == "desk_item") {
        c.item = j.at("item");
        c.draft_id = c.item->at("id").get<std::string>();
    } else if (type == "desk_removed") {
        c.draft_id = j.at("draft_id").get<std::string>();
        if (auto e = j.find("entry_id"); e != j.end()) c.published_as = e->get<std::string>();
    } else {
        throw std::invalid_argument("not a desk change: " + type);
    }
    return c;
}

json desk_list_json(Store& store, const std::string& story, std::size_t limit) {
    RecordQuery q;
    q.collection = desk_collection;
    q.group = story;
    q.limit = limit + 1;
    auto records = store.records(q);
    json items = json::array();
    for (std::size_t i = 0; i < records.size() && i < limit; ++i) items.push_back(desk_item_json(desk_item_from(records[i])));
    return json{{"story", story}, {"items", std::move(items)}, {"has_more", records.size() > limit}};
}

}  // namespace liveblog
