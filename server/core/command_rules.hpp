#pragma once
// The business rules of editor commands, the same for every store:
// seq assignment (story.seq + 1 per event), entry versions and
// version_conflict, idempotency keys, tombstones, ended stories.
//
// Invariant: a command that fails saves nothing (every check runs before the
// first save), so a batch never holds half a command.

#include "core/command.hpp"
#include "store/store.hpp"

namespace liveblog {

CommandResult apply_command(StoreTxn& txn, const Command& command, Millis now);

// Shared by the rule files (command_rules, desk_rules): publishes `entry` as
// a new entry of `story` (next seq, created_seq = modified_seq = it), saving
// both; the result carries its entry.created event.
CommandResult create_entry(StoreTxn& txn, Story& story, Entry entry, Millis now);

// Version check: empty when `expected` is the current version, else the
// version_conflict to answer (naming `id` and the current version).
std::optional<CommandResult> version_conflict(const std::string& id, std::uint32_t current, std::uint32_t expected);

}  // namespace liveblog
