#pragma once
// Editor commands, as the hub hands them to the store, and their results.
// Parsing (protocol/) produces these; core/command_rules applies them.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/error_code.hpp"
#include "core/content.hpp"

namespace liveblog {

struct CreateStory {
    std::string id, title, summary, lang;
    StoryStatus status = StoryStatus::live;
};

struct UpdateStory {
    std::string id;
    std::optional<std::string> title, summary, lang;
    std::optional<StoryStatus> status;
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

using Command = std::variant<CreateStory, UpdateStory, PostEntry, UpdateEntry, DeleteEntry, SetPinned>;

// The story a command acts on (for scope checks and routing).
const std::string& command_story(const Command& c);

struct CommandResult {
    ErrorCode code = ErrorCode::ok;
    std::string message;
    Seq seq = 0;                   // the story's seq after the command (the event's seq)
    std::optional<Event> event;    // what to publish; none for a replayed post or create_story
    std::optional<Story> story;    // create_story / update_story: the story as stored
    std::string entry_id;          // entry commands: the entry acted on
    std::uint32_t version = 0;     // entry commands: the entry's version after the command
    bool duplicate = false;        // post_entry retried with a known idempotency key

    static CommandResult failure(ErrorCode code, std::string message) {
        CommandResult r;
        r.code = code;
        r.message = std::move(message);
        return r;
    }
    bool ok() const { return code == ErrorCode::ok; }
};

}  // namespace liveblog
