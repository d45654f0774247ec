#pragma once
// The content model (ARCHITECTURE.md "Content model"): stories, entries and
// the events that change them. Plain data, no I/O; JSON lives in protocol/.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace liveblog {

using Seq = std::uint64_t;
using Millis = std::int64_t;  // milliseconds since the Unix epoch, UTC

enum class StoryStatus { live, paused, ended };

struct Story {
    std::string id;       // slug [a-z0-9-]{1,64}
    std::string title;
    std::string summary;
    std::string lang;     // BCP 47
    StoryStatus status = StoryStatus::live;
    Millis created_at = 0;
    Millis updated_at = 0;
    Seq seq = 0;          // seq of the story's last event; 0 before any
    std::string epoch;    // changes only when the history itself is lost or rebuilt
    Seq meta_seq = 0;     // seq of the last story.updated (0: never); drives compaction
    // The story's furniture: its opening picture (null: none; else an image
    // block without its type, as core/validation stores it) and its related
    // links ([{title, url}], at most 10).
    nlohmann::json lead_image;
    nlohmann::json related = nlohmann::json::array();
};

// A public correction of an entry: when it was made, and what the readers
// are told ("Corrigé à 21:04 : le chiffre était 12 %, pas 21 %").
struct Correction {
    Millis at = 0;
    std::string note;
    bool operator==(const Correction&) const = default;
};

// The storage form of an entry's corrections, [{"at":ms,"note":…}], shared
// by the SQLite and Redis stores. from_storage throws nlohmann's exceptions
// for a malformed value.
nlohmann::json corrections_to_storage(const std::vector<Correction>& cs);
std::vector<Correction> corrections_from_storage(const nlohmann::json& j);

struct Entry {
    std::string id;       // server-made, sortable
    std::string story;
    std::uint32_t version = 1;
    Millis published_at = 0;
    Millis updated_at = 0;
    std::string author;   // author.name on the wire
    std::optional<std::string> title;
    bool key_event = false;
    bool pinned = false;
    bool deleted = false;           // tombstone: kept so a resume learns of the deletion
    nlohmann::json blocks = nlohmann::json::array();  // validated, see core/validation
    Seq created_seq = 0;            // seq of entry.created: the order of the stream
    Seq modified_seq = 0;           // seq of the entry's latest event
    std::string idempotency_key;    // empty when the editor sent none
    std::vector<Correction> corrections;  // oldest first
};

enum class EventOp { entry_created, entry_updated, entry_deleted, story_updated };

// One change to a story, as published to readers. `entry` is set for
// entry.created / entry.updated, `entry_id` for entry.deleted, `story_state`
// for story.updated.
struct Event {
    std::string story;
    Seq seq = 0;
    EventOp op = EventOp::entry_created;
    std::optional<Entry> entry;
    std::string entry_id;
    std::optional<Story> story_state;

    // The entry (or the story meta) this event is about: compaction keeps the
    // latest event per key.
    std::string compaction_key() const;
};

const char* to_string(StoryStatus s);
std::optional<StoryStatus> parse_story_status(std::string_view s);
const char* to_string(EventOp op);

}  // namespace liveblog
