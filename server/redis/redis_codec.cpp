#include "redis/redis_codec.hpp"

#include <limits>

#include "store/store.hpp"

namespace liveblog::redis {

namespace {

using nlohmann::json;

[[noreturn]] void malformed(const char* what, const std::string& why) {
    throw StoreFailure(std::string("redis: malformed stored ") + what + ": " + why);
}

// Typed access to the fields of one stored object; `what` names the object
// in error messages.
class Fields {
public:
    Fields(const json& object, const char* what) : object_(object), what_(what) {
        if (!object_.is_object()) malformed(what_, "not a JSON object");
    }

    const json& any(const char* name) const {
        auto it = object_.find(name);
        if (it == object_.end()) malformed(what_, std::string("no field '") + name + "'");
        return *it;
    }

    std::string text(const char* name) const {
        return typed(name, &json::is_string, "a string").get<std::string>();
    }
    std::optional<std::string> optional_text(const char* name) const {
        const json& v = any(name);
        if (v.is_null()) return std::nullopt;
        return text(name);
    }
    bool boolean(const char* name) const { return typed(name, &json::is_boolean, "a boolean").get<bool>(); }
    std::uint64_t unsigned_integer(const char* name) const {
        return typed(name, &json::is_number_unsigned, "an unsigned integer").get<std::uint64_t>();
    }
    std::int64_t integer(const char* name) const {
        return typed(name, &json::is_number_integer, "an integer").get<std::int64_t>();
    }
    std::uint32_t version(const char* name) const {
        std::uint64_t v = unsigned_integer(name);
        if (v > std::numeric_limits<std::uint32_t>::max()) wrong(name, "a 32-bit version");
        return static_cast<std::uint32_t>(v);
    }

    [[noreturn]] void wrong(const char* name, const std::string& expected) const {
        malformed(what_, std::string("field '") + name + "' is not " + expected);
    }

private:
    const json& typed(const char* name, bool (json::*is)() const noexcept, const char* expected) const {
        const json& v = any(name);
        if (!(v.*is)()) wrong(name, expected);
        return v;
    }

    const json& object_;
    const char* what_;
};

std::optional<EventOp> parse_event_op(std::string_view s) {
    for (EventOp op : {EventOp::entry_created, EventOp::entry_updated, EventOp::entry_deleted, EventOp::story_updated})
        if (s == to_string(op)) return op;
    return std::nullopt;
}

json parse_text(std::string_view text, const char* what) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& ex) {
        malformed(what, ex.what());
    }
}

}  // namespace

json story_to_json(const Story& s) {
    return {
        {"id", s.id},
        {"title", s.title},
        {"summary", s.summary},
        {"lang", s.lang},
        {"status", to_string(s.status)},
        {"created_at", s.created_at},
        {"updated_at", s.updated_at},
        {"seq", s.seq},
        {"epoch", s.epoch},
        {"meta_seq", s.meta_seq},
        {"lead_image", s.lead_image},
        {"related", s.related},
    };
}

json entry_to_json(const Entry& e) {
    return {
        {"id", e.id},
        {"story", e.story},
        {"version", e.version},
        {"published_at", e.published_at},
        {"updated_at", e.updated_at},
        {"author", e.author},
        {"title", e.title ? json(*e.title) : json(nullptr)},
        {"key_event", e.key_event},
        {"pinned", e.pinned},
        {"deleted", e.deleted},
        {"blocks", e.blocks},
        {"created_seq", e.created_seq},
        {"modified_seq", e.modified_seq},
        {"idempotency_key", e.idempotency_key},
        {"corrections", corrections_to_storage(e.corrections)},
    };
}

json event_to_json(const Event& e) {
    return {
        {"story", e.story},
        {"seq", e.seq},
        {"op", to_string(e.op)},
        {"entry", e.entry ? entry_to_json(*e.entry) : json(nullptr)},
        {"entry_id", e.entry_id},
        {"story_state", e.story_state ? story_to_json(*e.story_state) : json(nullptr)},
    };
}

Story story_from_json(const json& j) {
    Fields f(j, "story");
    Story s;
    s.id = f.text("id");
    s.title = f.text("title");
    s.summary = f.text("summary");
    s.lang = f.text("lang");
    auto status = parse_story_status(f.text("status"));
    if (!status) f.wrong("status", "live, paused or ended");
    s.status = *status;
    s.created_at = f.integer("created_at");
    s.updated_at = f.integer("updated_at");
    s.seq = f.unsigned_integer("seq");
    s.epoch = f.text("epoch");
    s.meta_seq = f.unsigned_integer("meta_seq");
    // Stories written before lead images and related links have neither field.
    if (auto lead = j.find("lead_image"); lead != j.end() && lead->is_object()) s.lead_image = *lead;
    if (auto related = j.find("related"); related != j.end() && related->is_array()) s.related = *related;
    return s;
}

Entry entry_from_json(const json& j) {
    Fields f(j, "entry");
    Entry e;
    e.id = f.text("id");
    e.story = f.text("story");
    e.version = f.version("version");
    e.published_at = f.integer("published_at");
    e.updated_at = f.integer("updated_at");
    e.author = f.text("author");
    e.title = f.optional_text("title");
    e.key_event = f.boolean("key_event");
    e.pinned = f.boolean("pinned");
    e.deleted = f.boolean("deleted");
    e.blocks = f.any("blocks");
    e.created_seq = f.unsigned_integer("created_seq");
    e.modified_seq = f.unsigned_integer("modified_seq");
    e.idempotency_key = f.text("idempotency_key");
    // Absent in entries stored before corrections existed.
    if (auto cs = j.find("corrections"); cs != j.end()) {
        try {
            e.corrections = corrections_from_storage(*cs);
        } catch (const json::exception&) {
            f.wrong("corrections", "an array of {at, note}");
        }
    }
    return e;
}

Event event_from_json(const json& j) {
    Fields f(j, "event");
    Event e;
    e.story = f.text("story");
    e.seq = f.unsigned_integer("seq");
    auto op = parse_event_op(f.text("op"));
    if (!op) f.wrong("op", "a known event op");
    e.op = *op;
    if (const json& entry = f.any("entry"); !entry.is_null()) e.entry = entry_from_json(entry);
    e.entry_id = f.text("entry_id");
    if (const json& state = f.any("story_state"); !state.is_null()) e.story_state = story_from_json(state);
    return e;
}

Story parse_story(std::string_view text) { return story_from_json(parse_text(text, "story")); }
Entry parse_entry(std::string_view text) { return entry_from_json(parse_text(text, "entry")); }
Event parse_event(std::string_view text) { return event_from_json(parse_text(text, "event")); }

}  // namespace liveblog::redis
