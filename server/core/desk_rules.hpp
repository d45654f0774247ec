#pragma once
// The desk's state machine (core/desk.hpp), applied inside a write
// transaction like every command (core/command_rules):
//
//   save (new) ──> draft ──submit──> in_review ──publish──> published entry
//                    ^                  │  ^
//                    └──send_back───────┘  │ unschedule
//                    └──send_back── scheduled <──schedule── draft | in_review
//                                        └──(publish_at, the scheduler)──> published entry
//
// Every action bumps the item's version (expected_version guards each, as
// for entries) and records a revision in the entry's history. Publishing
// creates the entry with the item's id, removes the item and its schedule
// record, and emits entry.created, all in the one transaction: a crash
// leaves the item on the desk or the entry published, never both, never
// neither. The scheduler's publish (by_scheduler) is a no-op unless the item
// is still scheduled and due, so every node may try it and one publishes.

#include "core/command.hpp"
#include "store/store.hpp"

namespace liveblog {

CommandResult apply_desk(StoreTxn& txn, const DeskCommand& command, Millis now);

// The furthest ahead an item may be scheduled.
inline constexpr Millis max_schedule_ahead_ms = 366LL * 24 * 3600 * 1000;

}  // namespace liveblog
