#include "protocol/messages.hpp"

#include "common/clock.hpp"
#include "common/utf8.hpp"

namespace liveblog {

namespace {

[[noreturn]] void fail(ErrorCode code, std::string message) { throw Error{code, std::move(message)}; }

// Field accessors: absent -> nullopt, present with the wrong type -> bad_request.
const nlohmann::json* field(const nlohmann::json& msg, const char* name) {
    auto it = msg.find(name);
    if (it == msg.end() || it->is_null()) return nullptr;
    return &*it;
}

std::optional<std::string> opt_string(const nlohmann::json& msg, const char* name) {
    const auto* f = field(msg, name);
    if (!f) return std::nullopt;
    if (!f->is_string()) fail(ErrorCode::bad_request, std::string(name) + ": must be a string");
    return f->get<std::string>();
}

std::string req_string(const nlohmann::json& msg, const char* name) {
    auto s = opt_string(msg, name);
    if (!s) fail(ErrorCode::bad_request, std::string(name) + ": required");
    return *s;
}

std::optional<std::uint64_t> opt_uint(const nlohmann::json& msg, const char* name) {
    const auto* f = field(msg, name);
    if (!f) return std::nullopt;
    if (!f->is_number_unsigned()) fail(ErrorCode::bad_request, std::string(name) + ": must be a non-negative integer");
    return f->get<std::uint64_t>();
}

std::optional<bool> opt_bool(const nlohmann::json& msg, const char* name) {
    const auto* f = field(msg, name);
    if (!f) return std::nullopt;
    if (!f->is_boolean()) fail(ErrorCode::bad_request, std::string(name) + ": must be true or false");
    return f->get<bool>();
}

std::string story_id(const nlohmann::json& msg) {
    std::string id = req_string(msg, "story");
    check_slug(id);
    return id;
}

std::uint32_t version_field(const nlohmann::json& msg, const char* name, bool required) {
    auto v = opt_uint(msg, name);
    if (!v) {
        if (required) fail(ErrorCode::bad_request, std::string(name) + ": required");
        return 0;
    }
    if (*v == 0 || *v > 0xffffffffu) fail(ErrorCode::bad_request, std::string(name) + ": out of range");
    return static_cast<std::uint32_t>(*v);
}

std::string entry_id(const nlohmann::json& msg) {
    std::string id = req_string(msg, "entry_id");
    if (id.empty() || id.size() > 64) fail(ErrorCode::bad_request, "entry_id: invalid");
    return id;
}

std::optional<std::string> checked_title(const nlohmann::json& msg, const ContentLimits& limits) {
    auto t = opt_string(msg, "title");
    if (t) check_short_text("title", *t, limits.max_short_bytes);
    return t;
}

std::optional<StoryStatus> status_field(const nlohmann::json& msg) {
    auto s = opt_string(msg, "status");
    if (!s) return std::nullopt;
    auto st = parse_story_status(*s);
    if (!st) fail(ErrorCode::bad_request, "status: must be live, paused or ended");
    return st;
}

std::optional<std::string> lang_field(const nlohmann::json& msg) {
    auto l = opt_string(msg, "lang");
    if (l && !is_valid_lang(*l)) fail(ErrorCode::invalid_content, "lang: not a BCP 47 language tag");
    return l;
}

std::optional<std::string> summary_field(const nlohmann::json& msg, const ContentLimits& limits) {
    auto s = opt_string(msg, "summary");
    if (s) check_summary(*s, limits);
    return s;
}

std::string author_name(const nlohmann::json& msg, const std::string& fallback, const ContentLimits& limits) {
    const auto* a = field(msg, "author");
    if (!a) return fallback;
    if (!a->is_object()) fail(ErrorCode::bad_request, "author: must be an object {\"name\": ...}");
    std::string name = req_string(*a, "name");
    check_short_text("author.name", name, limits.max_short_bytes);
    return name;
}

nlohmann::json blocks_field(const nlohmann::json& msg, const ContentLimits& limits) {
    const auto* b = field(msg, "blocks");
    if (!b) fail(ErrorCode::bad_request, "blocks: required");
    auto blocks = validate_blocks(*b, limits);
    check_entry_size(blocks, limits);
    return blocks;
}

std::string draft_id(const nlohmann::json& msg) {
    std::string id = req_string(msg, "draft_id");
    if (id.empty() || id.size() > 64) fail(ErrorCode::bad_request, "draft_id: invalid");
    return id;
}

const std::pair<const char*, DeskAction> desk_types[] = {
    {"save_draft", DeskAction::save},         {"submit_draft", DeskAction::submit},
    {"send_back_draft", DeskAction::send_back}, {"schedule_draft", DeskAction::schedule},
    {"unschedule_draft", DeskAction::unschedule}, {"publish_draft", DeskAction::publish},
    {"delete_draft", DeskAction::remove},
};

// The content fields of save_draft and publish_draft (all optional, checked
// as post_entry checks them).
void desk_content(const nlohmann::json& msg, DeskCommand& c, const ContentLimits& limits) {
    if (field(msg, "author")) c.author = author_name(msg, {}, limits);
    if (msg.contains("title")) c.title = checked_title(msg, limits);  // null clears the title
    c.key_event = opt_bool(msg, "key_event");
    c.pinned = opt_bool(msg, "pinned");
    if (field(msg, "blocks")) c.blocks = blocks_field(msg, limits);
}

DeskCommand parse_desk_command(const nlohmann::json& msg, DeskAction action, const std::string& actor,
                               const ContentLimits& limits) {
    DeskCommand c;
    c.action = action;
    c.story = story_id(msg);
    c.actor = actor;
    const bool creates = action == DeskAction::save && !field(msg, "draft_id");
    if (!creates) c.draft_id = draft_id(msg);
    if (!creates && action != DeskAction::remove) c.expected_version = version_field(msg, "expected_version", true);
    if (action == DeskAction::remove && field(msg, "expected_version"))
        c.expected_version = version_field(msg, "expected_version", true);
    switch (action) {
        case DeskAction::save:
            desk_content(msg, c, limits);
            if (creates && !c.blocks) fail(ErrorCode::bad_request, "blocks: required");
            if (!creates && !c.author && !c.title && !c.key_event && !c.pinned && !c.blocks)
                fail(ErrorCode::bad_request, "save_draft: nothing to change (author, title, key_event, pinned, blocks)");
            break;
        case DeskAction::publish: desk_content(msg, c, limits); break;
        case DeskAction::send_back:
            if (field(msg, "comment")) {
                c.comment = req_string(msg, "comment");
                check_short_text("comment", *c.comment, limits.max_short_bytes);
            }
            break;
        case DeskAction::schedule: {
            auto when = parse_iso8601(req_string(msg, "publish_at"));
            if (!when) fail(ErrorCode::bad_request, "publish_at: an ISO 8601 time, e.g. 2026-12-07T21:00:00Z");
            c.publish_at = *when;
            break;
        }
        default: break;
    }
    return c;
}

}  // namespace

nlohmann::json parse_json_object(std::string_view text, const JsonLimits& limits) {
    JsonRefusal refusal;
    auto j = parse_bounded_json(text, limits, refusal);
    if (refusal == JsonRefusal::none && !j.is_object()) refusal = JsonRefusal::not_object;
    switch (refusal) {
        case JsonRefusal::none: return j;
        case JsonRefusal::not_utf8: fail(ErrorCode::invalid_utf8, "message is not valid UTF-8");
        case JsonRefusal::too_large: fail(ErrorCode::too_large, "message " + describe(refusal, limits));
        case JsonRefusal::not_object: fail(ErrorCode::invalid_json, "message must be a JSON object");
        default: fail(ErrorCode::invalid_json, "message " + describe(refusal, limits));
    }
}

ReaderMessage parse_reader_message(const nlohmann::json& msg) {
    std::string type = req_string(msg, "type");
    if (type == "subscribe") {
        SubscribeMessage m;
        m.story = story_id(msg);
        m.resume.since = opt_uint(msg, "since");
        m.resume.epoch = opt_string(msg, "epoch");
        return m;
    }
    if (type == "unsubscribe") return UnsubscribeMessage{story_id(msg)};
    if (type == "ping") return PingMessage{};
    fail(ErrorCode::unknown_type, "unknown message type '" + type + "'");
}

nlohmann::json request_id_of(const nlohmann::json& msg) {
    auto it = msg.find("request_id");
    if (it == msg.end()) return nullptr;
    if (it->is_string() && it->get_ref<const std::string&>().size() <= 128) return *it;
    if (it->is_number_integer()) return *it;
    return nullptr;
}

AdminMessage parse_admin_message(const nlohmann::json& msg, const std::string& default_author,
                                 const ContentLimits& limits) {
    std::string type = req_string(msg, "type");
    if (type == "auth") return AuthMessage{req_string(msg, "token")};
    if (type == "editing") {
        EditingMessage m;
        m.story = story_id(msg);
        if (auto e = msg.find("entry_id"); e != msg.end() && !e->is_null()) m.entry_id = entry_id(msg);
        return m;
    }
    if (request_id_of(msg).is_null())
        fail(ErrorCode::bad_request, "request_id: required (a string of at most 128 bytes, or an integer)");

    if (type == "create_story") {
        CreateStory c;
        c.id = story_id(msg);
        c.title = req_string(msg, "title");
        check_short_text("title", c.title, limits.max_short_bytes);
        c.summary = summary_field(msg, limits).value_or("");
        c.lang = lang_field(msg).value_or("fr");
        c.status = status_field(msg).value_or(StoryStatus::live);
        return c;
    }
    if (type == "update_story") {
        UpdateStory c;
        c.id = story_id(msg);
        c.title = checked_title(msg, limits);
        c.summary = summary_field(msg, limits);
        c.lang = lang_field(msg);
        c.status = status_field(msg);
        // `field` takes null for absent; here null means "clear the lead image".
        if (auto lead = msg.find("lead_image"); lead != msg.end())
            c.lead_image = lead->is_null() ? nlohmann::json() : validate_lead_image(*lead, limits);
        if (const auto* related = field(msg, "related")) c.related = validate_related(*related, limits);
        if (!c.title && !c.summary && !c.lang && !c.status && !c.lead_image && !c.related)
            fail(ErrorCode::bad_request,
                 "update_story: nothing to change (title, summary, lang, status, lead_image, related)");
        return c;
    }
    if (type == "post_entry") {
        PostEntry c;
        c.story = story_id(msg);
        c.idempotency_key = opt_string(msg, "idempotency_key").value_or("");
        if (c.idempotency_key.size() > 128) fail(ErrorCode::bad_request, "idempotency_key: at most 128 bytes");
        c.author = author_name(msg, default_author, limits);
        c.actor = default_author;
        c.title = checked_title(msg, limits);
        c.key_event = opt_bool(msg, "key_event").value_or(false);
        c.pinned = opt_bool(msg, "pinned").value_or(false);
        c.blocks = blocks_field(msg, limits);
        return c;
    }
    if (type == "update_entry") {
        UpdateEntry c;
        c.story = story_id(msg);
        c.entry_id = entry_id(msg);
        c.expected_version = version_field(msg, "expected_version", true);
        if (msg.contains("title")) c.title = checked_title(msg, limits);  // null clears the title
        c.key_event = opt_bool(msg, "key_event");
        if (field(msg, "blocks")) c.blocks = blocks_field(msg, limits);
        if (field(msg, "correction")) {
            c.correction = req_string(msg, "correction");
            check_short_text("correction", *c.correction, limits.max_short_bytes);
        }
        if (field(msg, "restores")) c.restores = version_field(msg, "restores", true);
        c.actor = default_author;
        if (!c.title && !c.key_event && !c.blocks)
            fail(ErrorCode::bad_request, "update_entry: nothing to change (title, key_event, blocks)");
        return c;
    }
    if (type == "delete_entry") {
        DeleteEntry c;
        c.story = story_id(msg);
        c.entry_id = entry_id(msg);
        if (field(msg, "expected_version")) c.expected_version = version_field(msg, "expected_version", true);
        c.actor = default_author;
        return c;
    }
    for (const auto& [name, action] : desk_types)
        if (type == name) return parse_desk_command(msg, action, default_author, limits);
    if (type == "pin_entry" || type == "unpin_entry") {
        SetPinned c;
        c.story = story_id(msg);
        c.entry_id = entry_id(msg);
        c.pinned = type == "pin_entry";
        c.actor = default_author;
        return c;
    }
    fail(ErrorCode::unknown_type, "unknown command '" + type + "'");
}

}  // namespace liveblog
