#include "core/authorization.hpp"

namespace liveblog {

void authorize(const Claims& claims, const Command& command) {
    const std::string& story = command_story(command);
    if (std::holds_alternative<CreateStory>(command)) {
        if (!claims.may_create_stories()) throw Error{ErrorCode::forbidden, "this token may not create stories"};
    } else if (!claims.may_act_on(story)) {
        throw Error{ErrorCode::forbidden, "this token is not scoped to story '" + story + "'"};
    }
}

}  // namespace liveblog
