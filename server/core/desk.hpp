#pragma once
// The desk: entries not yet published. A journalist's draft, the review
// queue and the scheduled entries are desk items, kept as records of the
// store (store/store.hpp "Record"), never in the entries readers read:
//   collection "desk",     key "<story>/<id>", group "<story>"
//   collection "schedule", key "<publish_at, 13 digits>/<story>/<id>", group "due"
// The schedule index lists every scheduled item of every story in time
// order, so the scheduler (core/desk_scheduler) reads only what is due.
//
// An item's state is draft, in_review or scheduled; publishing it creates
// the entry, with the same id, and removes the item, in one transaction
// (core/desk_rules). "published" is the state of every entry readers see.
//
// Invariant: an item is scheduled iff its schedule record exists, with the
// item's publish_at in its key (desk_rules writes both or neither).

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/command.hpp"
#include "core/content.hpp"
#include "store/store.hpp"

namespace liveblog {

inline const std::string desk_collection = "desk";
inline const std::string schedule_collection = "schedule";
inline const std::string schedule_group = "due";

enum class DeskState { draft, in_review, scheduled };
const char* to_string(DeskState s);
std::optional<DeskState> parse_desk_state(std::string_view s);

// An editor's comment when sending an item back.
struct DeskComment {
    std::string by;
    Millis at = 0;
    std::string text;
};

struct DeskItem {
    std::string id, story;
    DeskState state = DeskState::draft;
    std::uint32_t version = 1;
    std::string owner_id;    // the account (user id, or a signed token's sub) that wrote it
    std::string owner_name;
    std::string author;      // the byline it will be published under
    std::optional<std::string> title;
    bool key_event = false, pinned = false;
    nlohmann::json blocks = nlohmann::json::array();
    Millis created_at = 0, updated_at = 0;
    Millis publish_at = 0;   // scheduled: when it goes out
    std::optional<DeskComment> comment;  // the last send-back, until resubmitted
};

std::string desk_key(const std::string& story, const std::string& id);
std::string schedule_key(Millis publish_at, const std::string& story, const std::string& id);

Record to_record(const DeskItem& item);
DeskItem desk_item_from(const Record& r);  // throws StoreFailure when malformed
Record schedule_record(const DeskItem& item);
// A schedule record's (story, id, publish_at); throws StoreFailure when malformed.
struct ScheduleRef {
    std::string story, id;
    Millis publish_at = 0;
};
ScheduleRef schedule_ref_from(const Record& r);

// The wire form (docs/protocol.md "The desk").
nlohmann::json desk_item_json(const DeskItem& item);

// A desk change as the editors' channel carries it:
//   {"type":"desk_item","story","item":{...}} or
//   {"type":"desk_removed","story","draft_id","entry_id"?}
// and back (throws nlohmann::json::exception or std::invalid_argument).
nlohmann::json desk_change_json(const DeskChange& change);
DeskChange desk_change_from_json(const nlohmann::json& j);

// A story's desk as {"story","items":[...],"has_more"}: its first `limit`
// items (by id: oldest first). Throws StoreFailure.
inline constexpr std::size_t desk_list_limit = 200;
nlohmann::json desk_list_json(Store& store, const std::string& story, std::size_t limit = desk_list_limit);

}  // namespace liveblog
