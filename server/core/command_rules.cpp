#include "core/command_rules.hpp"

#include "common/random.hpp"
#include "core/desk.hpp"
#include "core/desk_rules.hpp"
#include "core/revision.hpp"

namespace liveblog {

const std::string& command_story(const Command& c) {
    return std::visit(
        [](const auto& cmd) -> const std::string& {
            using T = std::decay_t<decltype(cmd)>;
            if constexpr (std::is_same_v<T, CreateStory> || std::is_same_v<T, UpdateStory>)
                return cmd.id;
            else
                return cmd.story;
        },
        c);
}

namespace {

// Corrections an entry keeps (each is at most max_short_bytes): bounds the entry.
constexpr std::size_t max_corrections = 50;

// Advances the story's seq for a new event and stamps it.
Event next_event(Story& story, EventOp op, Millis now) {
    story.seq += 1;
    story.updated_at = now;
    Event e;
    e.story = story.id;
    e.seq = story.seq;
    e.op = op;
    return e;
}

CommandResult entry_result(const Story& story, const Entry& entry, Event event) {
    CommandResult r;
    r.seq = story.seq;
    r.entry_id = entry.id;
    r.version = entry.version;
    r.event = std::move(event);
    return r;
}

struct Apply {
    StoreTxn& txn;
    Millis now;

    CommandResult operator()(const CreateStory& c) {
        if (txn.load_story(c.id))
            return CommandResult::failure(ErrorCode::story_exists, "story '" + c.id + "' already exists");
        Story s;
        s.id = c.id;
        s.title = c.title;
        s.summary = c.summary;
        s.lang = c.lang;
        s.status = c.status;
        s.created_at = s.updated_at = now;
        s.epoch = make_epoch();
        txn.save_story(s);
        CommandResult r;
        r.seq = 0;
        r.story = s;
        return r;
    }

    CommandResult operator()(const UpdateStory& c) {
        auto s = txn.load_story(c.id);
        if (!s) return CommandResult::failure(ErrorCode::unknown_story, "no story '" + c.id + "'");
        if (c.title) s->title = *c.title;
        if (c.summary) s->summary = *c.summary;
        if (c.lang) s->lang = *c.lang;
        if (c.status) s->status = *c.status;
        if (c.lead_image) s->lead_image = *c.lead_image;
        if (c.related) s->related = *c.related;
        Event e = next_event(*s, EventOp::story_updated, now);
        s->meta_seq = s->seq;
        e.story_state = *s;
        txn.save_story(*s);
        CommandResult r;
        r.seq = s->seq;
        r.story = *s;
        r.event = std::move(e);
        return r;
    }

    CommandResult operator()(const PostEntry& c) {
        auto s = txn.load_story(c.story);
        if (!s) return CommandResult::failure(ErrorCode::unknown_story, "no story '" + c.story + "'");
        if (!c.idempotency_key.empty()) {
            if (auto first = txn.load_entry_by_key(c.story, c.idempotency_key)) {
                // The first ack again: same seq, entry and version as when it was created.
                CommandResult r;
                r.seq = first->created_seq;
                r.entry_id = first->id;
                r.version = 1;
                r.duplicate = true;
                return r;
            }
        }
        if (s->status == StoryStatus::ended)
            return CommandResult::failure(ErrorCode::story_ended,
                                          "story '" + c.story + "' has ended; set it live to post again");
        Entry en;
        en.id = make_entry_id(now);
        en.story = c.story;
        en.version = 1;
        en.author = c.author;
        en.title = c.title;
        en.key_event = c.key_event;
        en.pinned = c.pinned;
        en.blocks = c.blocks;
        en.idempotency_key = c.idempotency_key;
        return create_entry(txn, *s, std::move(en), now);
    }

    // Loads story and live entry, or explains why not.
    std::optional<CommandResult> load(const std::string& story, const std::string& entry_id,
                                      std::optional<Story>& s, std::optional<Entry>& en) {
        s = txn.load_story(story);
        if (!s) return CommandResult::failure(ErrorCode::unknown_story, "no story '" + story + "'");
        en = txn.load_entry(story, entry_id);
        if (!en || en->deleted)
            return CommandResult::failure(ErrorCode::unknown_entry, "no entry '" + entry_id + "' in '" + story + "'");
        return std::nullopt;
    }

    static std::optional<CommandResult> check_version(const Entry& en, std::uint32_t expected) {
        return version_conflict(en.id, en.version, expected);
    }

    CommandResult save_change(Story& s, Entry& en, EventOp op) {
        Event e = next_event(s, op, now);
        en.modified_seq = s.seq;
        en.updated_at = now;
        if (op == EventOp::entry_deleted)
            e.entry_id = en.id;
        else
            e.entry = en;
        txn.save_story(s);
        txn.save_entry(en);
        return entry_result(s, en, std::move(e));
    }

    CommandResult operator()(const UpdateEntry& c) {
        std::optional<Story> s;
        std::optional<Entry> en;
        if (auto fail = load(c.story, c.entry_id, s, en)) return *fail;
        if (auto fail = check_version(*en, c.expected_version)) return *fail;
        if (c.title) en->title = *c.title;
        if (c.key_event) en->key_event = *c.key_event;
        if (c.blocks) en->blocks = *c.blocks;
        if (c.correction) {
            if (en->corrections.size() >= max_corrections)
                return CommandResult::failure(ErrorCode::invalid_content,
                                              "an entry takes at most " + std::to_string(max_corrections) + " corrections");
            en->corrections.push_back({now, *c.correction});
        }
        en->version += 1;
        return save_change(*s, *en, EventOp::entry_updated);
    }

    CommandResult operator()(const DeleteEntry& c) {
        std::optional<Story> s;
        std::optional<Entry> en;
        if (auto fail = load(c.story, c.entry_id, s, en)) return *fail;
        if (c.expected_version)
            if (auto fail = check_version(*en, *c.expected_version)) return *fail;
        en->deleted = true;
        en->pinned = false;
        en->version += 1;
        return save_change(*s, *en, EventOp::entry_deleted);
    }

    CommandResult operator()(const SetPinned& c) {
        std::optional<Story> s;
        std::optional<Entry> en;
        if (auto fail = load(c.story, c.entry_id, s, en)) return *fail;
        if (en->pinned == c.pinned) {
            // Already so: nothing changes, no version, no event (another
            // editor's expected_version stays valid).
            CommandResult r;
            r.seq = s->seq;
            r.entry_id = en->id;
            r.version = en->version;
            return r;
        }
        en->pinned = c.pinned;
        en->version += 1;
        return save_change(*s, *en, EventOp::entry_updated);
    }

    CommandResult operator()(const DeskCommand& c) { return apply_desk(txn, c, now); }
};

}  // namespace

CommandResult create_entry(StoreTxn& txn, Story& story, Entry en, Millis now) {
    Event e = next_event(story, EventOp::entry_created, now);
    en.story = story.id;
    en.published_at = en.updated_at = now;
    en.created_seq = en.modified_seq = story.seq;
    e.entry = en;
    txn.save_story(story);
    txn.save_entry(en);
    return entry_result(story, en, std::move(e));
}

std::optional<CommandResult> version_conflict(const std::string& id, std::uint32_t current, std::uint32_t expected) {
    if (expected == current) return std::nullopt;
    auto r = CommandResult::failure(ErrorCode::version_conflict, "'" + id + "' is at version " +
                                                                     std::to_string(current) + ", not " +
                                                                     std::to_string(expected));
    r.entry_id = id;
    r.version = current;
    return r;
}

CommandResult apply_command(StoreTxn& txn, const Command& command, Millis now) {
    CommandResult r = std::visit(Apply{txn, now}, command);
    // The event belongs to the same transaction as the state it describes.
    if (r.ok() && r.event) {
        txn.append_event(*r.event);
        record_revision(txn, command, r, now);
    }
    if (r.ok() && r.desk) txn.announce(desk_change_json(*r.desk).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return r;
}

}  // namespace liveblog
