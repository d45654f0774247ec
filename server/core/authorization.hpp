#pragma once
// Who may do what: the one rule for /admin/ws, the REST API and the console's
// account endpoints (docs/protocol.md, "Roles"). Every check in the server
// goes through here, so the role matrix test (tests/unit/authorization_test)
// covers them all.
//
//   action              contributor   editor        admin
//   create_story        -             -             yes
//   update_story        -             in scope      in scope
//   publish_entry       -             in scope      in scope
//   update_entry        -             in scope      in scope
//   delete_entry        -             in scope      in scope
//   pin_entry           -             in scope      in scope
//   read_history        in scope      in scope      in scope
//   read_desk           in scope      in scope      in scope
//   write_draft         in scope *    in scope      in scope
//   review_draft        -             in scope      in scope
//   manage_users        -             -             yes
//   manage_tokens       -             -             yes
//   read_audit          -             -             yes
//
// "In scope": the principal has no story list, or the story is on it.
// * write_draft (save, submit, send_back, remove) lets a contributor act on
//   their own items only, and only in some states: may_handle_draft, which
//   the desk rules call once the item is loaded. review_draft is schedule,
//   unschedule and publish.

#include <string>

#include "core/command.hpp"
#include "core/desk.hpp"
#include "core/principal.hpp"

namespace liveblog {

enum class Action {
    create_story,
    update_story,
    publish_entry,
    update_entry,
    delete_entry,
    pin_entry,
    read_history,  // an entry's revisions
    read_desk,     // a story's drafts, review queue and schedule
    write_draft,
    review_draft,
    manage_users,
    manage_tokens,
    read_audit,
};

const char* to_string(Action action);

// The action a command is.
Action action_of(const Command& command);

// Whether the role grants the action at all (scope aside).
bool role_allows(Role role, Action action);

// Throws Error{forbidden} unless `who` may do `action` on `story` (empty:
// an action on no story).
void authorize(const Principal& who, Action action, const std::string& story = {});
void authorize(const Principal& who, const Command& command);

// Stamps who sends `command` (its actor fields) from the principal: the
// desk rules check ownership against them.
void stamp_actor(Command& command, const Principal& who);

// The part of write_draft that depends on the item: editors and admins may
// handle any item (their scope was checked by authorize); a contributor only
// their own (owner_id), to save, submit or remove a draft, or to withdraw
// (send back) what they submitted.
bool may_handle_draft(Role role, const std::string& actor_id, DeskAction action, const DeskItem& item);

}  // namespace liveblog
