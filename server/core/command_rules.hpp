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

}  // namespace liveblog
