#pragma once
// Who may run which editor command: the one rule shared by /admin/ws and the
// HTTP API. Throws Error{forbidden}.

#include "core/command.hpp"
#include "core/jwt.hpp"

namespace liveblog {

void authorize(const Claims& claims, const Command& command);

}  // namespace liveblog
