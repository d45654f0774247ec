#pragma once
// Editor commands, as the hub hands them to the store, and their results.
// Parsing (protocol/) produces these; core/command_rules applies them.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/error_code.hpp"
#include "core/content.hpp"
#include "core/principal.hpp"

namespace liveblog {

struct CreateStory {
    std::string id, title, summary, lang;
    StoryStatus status = StoryStatus::live;
};

struct UpdateStory {
    std::string id;
    std::optional<std::string> title, summary, lang;
    std::optional<StoryStatus> status;
    std::optional<nlohmann::json> lead_image;  // set: replaces it (a JSON null clears it)
    std::optional<nlohmann::json> related;     // set: replaces them ([] clears them)
};

struct PostEntry {
    std::string story;
    std::string idempotency_key;  // may be empty
    std::string author;
    std::optional<std::string> title;
    bool key_event = false;
    bool pinned = false;
    nlohmann::json blocks;
    std::string actor;  // who sent it (its revision's "by")
};

struct UpdateEntry {
    std::string story, entry_id;
    std::uint32_t expected_version = 0;
    std::optional<std::optional<std::string>> title;  // set to a title, or to none
    std::optional<bool> key_event;
    std::optional<nlohmann::json> blocks;
    // Set: this edit is a public correction, with this note for the readers.
    std::optional<std::string> correction;
    // Set: this edit restores that revision (the console's "Restaurer"): kept
    // as such in the history and the audit log.
    std::optional<std::uint32_t> restores;
    std::string actor;
};

struct DeleteEntry {
    std::string story, entry_id;
    std::optional<std::uint32_t> expected_version;
    std::string actor;
};

struct SetPinned {
    std::string story, entry_id;
    bool pinned = true;
    std::string actor;
};

// The desk (core/desk.hpp): drafts, review and schedules. One command type,
// its action saying which; core/desk_rules has the state machine.
enum class DeskAction {
    save,        // create a draft (no draft_id) or change an item's content
    submit,      // draft -> in_review
    send_back,   // in_review | scheduled -> draft, with an editor's comment (the owner: a withdrawal)
    schedule,    // draft | in_review | scheduled -> scheduled at publish_at (a reschedule too)
    unschedule,  // scheduled -> in_review
    publish,     // any -> a published entry (with optional last edits)
    remove,      // any -> gone
};
const char* to_string(DeskAction a);

struct DeskCommand {
    DeskAction action = DeskAction::save;
    std::string story;
    std::string draft_id;  // empty only for save: a new draft
    std::optional<std::uint32_t> expected_version;  // required except for a new draft and remove
    // Content (save; publish: last edits). Absent: unchanged.
    std::optional<std::string> author;
    std::optional<std::optional<std::string>> title;
    std::optional<bool> key_event, pinned;
    std::optional<nlohmann::json> blocks;
    std::optional<std::string> comment;  // send_back
    Millis publish_at = 0;               // schedule; the scheduler's publish: the schedule record's time
    // Who sends it: the rules check ownership (core/authorization may_handle_draft).
    std::string actor, actor_id;
    Role actor_role = Role::contributor;
    // The scheduler's own publish: only a scheduled item whose time has come.
    bool by_scheduler = false;
};

using Command = std::variant<CreateStory, UpdateStory, PostEntry, UpdateEntry, DeleteEntry, SetPinned, DeskCommand>;

// The story a command acts on (for scope checks and routing).
const std::string& command_story(const Command& c);

// What a desk command changed, for the editors' channel (never readers).
struct DeskChange {
    std::string story, draft_id;
    std::optional<nlohmann::json> item;  // the item's wire form; none: it left the desk
    std::string published_as;            // left by publication: the entry's id
};

struct CommandResult {
    ErrorCode code = ErrorCode::ok;
    std::string message;
    Seq seq = 0;                   // the story's seq after the command (the event's seq)
    std::optional<Event> event;    // what to publish; none for a replayed post or create_story
    std::optional<Story> story;    // create_story / update_story: the story as stored
    std::string entry_id;          // entry commands: the entry acted on
    std::uint32_t version = 0;     // entry commands: the entry's version after the command
    bool duplicate = false;        // post_entry retried with a known idempotency key
    std::optional<DeskChange> desk;  // desk commands: what the editors' channel is told

    static CommandResult failure(ErrorCode code, std::string message) {
        CommandResult r;
        r.code = code;
        r.message = std::move(message);
        return r;
    }
    bool ok() const { return code == ErrorCode::ok; }
};

}  // namespace liveblog
