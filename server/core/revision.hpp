#pragma once
// Revisions: every change to an entry is kept, in the same transaction as
// the change, as a record of the store (store/store.hpp "Record"):
//   collection "revisions", key "<story>/<entry id>/<version, 10 digits>",
//   group "<story>/<entry id>" (so an entry's history lists in version order).
// Each holds who, when, what kind of change, and the entry's content after
// it (for a deletion: before it). The console shows the history, diffs two
// revisions and restores one (by editing the entry back to it).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/command.hpp"
#include "store/store.hpp"

namespace liveblog {

inline const std::string revisions_collection = "revisions";

struct Revision {
    std::string story, entry_id;
    std::uint32_t version = 0;
    Millis at = 0;
    std::string by;      // the name of who made it
    // created, edited, corrected, restored, deleted, pinned, unpinned; on the
    // desk: drafted, submitted, sent_back, scheduled, unscheduled, published,
    // published_on_schedule (and edited, deleted)
    std::string action;
    std::optional<std::string> title;
    bool key_event = false, pinned = false;
    nlohmann::json blocks = nlohmann::json::array();
    std::optional<std::string> correction;  // the note, for "corrected"
    std::optional<std::string> state;       // a desk item's state after it (none: a published entry)
    std::optional<std::string> comment;     // sent_back: the editor's comment
    std::optional<Millis> publish_at;       // scheduled
    std::optional<std::uint32_t> restores;  // restored: the version brought back
};

std::string revision_group(const std::string& story, const std::string& entry_id);
Record to_record(const Revision& r);
Revision revision_from(const Record& r);  // throws StoreFailure when malformed
void save_revision(StoreTxn& txn, const Revision& r);
nlohmann::json revision_json(const Revision& r);  // the API's form

// The revision a committed entry command makes (none for a replayed post or
// a pin that changed nothing). Called inside the command's transaction.
void record_revision(StoreTxn& txn, const Command& command, const CommandResult& result, Millis now);

}  // namespace liveblog
