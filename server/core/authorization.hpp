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
//   manage_users        -             -             yes
//   manage_tokens       -             -             yes
//   read_audit          -             -             yes
//
// "In scope": the principal has no story list, or the story is on it.

#include <string>

#include "core/command.hpp"
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

}  // namespace liveblog
