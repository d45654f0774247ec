#include "core/authorization.hpp"

namespace liveblog {

const char* to_string(Action action) {
    switch (action) {
        case Action::create_story: return "create_story";
        case Action::update_story: return "update_story";
        case Action::publish_entry: return "publish_entry";
        case Action::update_entry: return "update_entry";
        case Action::delete_entry: return "delete_entry";
        case Action::pin_entry: return "pin_entry";
        case Action::read_history: return "read_history";
        case Action::read_desk: return "read_desk";
        case Action::write_draft: return "write_draft";
        case Action::review_draft: return "review_draft";
        case Action::manage_users: return "manage_users";
        case Action::manage_tokens: return "manage_tokens";
        case Action::read_audit: return "read_audit";
    }
    return "?";
}

Action action_of(const Command& command) {
    return std::visit(
        [](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, CreateStory>) return Action::create_story;
            else if constexpr (std::is_same_v<T, UpdateStory>) return Action::update_story;
            else if constexpr (std::is_same_v<T, PostEntry>) return Action::publish_entry;
            else if constexpr (std::is_same_v<T, UpdateEntry>) return Action::update_entry;
            else if constexpr (std::is_same_v<T, DeleteEntry>) return Action::delete_entry;
            else if constexpr (std::is_same_v<T, SetPinned>) return Action::pin_entry;
            else {
                switch (c.action) {
                    case DeskAction::schedule:
                    case DeskAction::unschedule:
                    case DeskAction::publish: return Action::review_draft;
                    default: return Action::write_draft;
                }
            }
        },
        command);
}

bool role_allows(Role role, Action action) {
    switch (action) {
        case Action::create_story:
        case Action::manage_users:
        case Action::manage_tokens:
        case Action::read_audit: return role == Role::admin;
        case Action::update_story:
        case Action::publish_entry:
        case Action::update_entry:
        case Action::delete_entry:
        case Action::pin_entry:
        case Action::review_draft: return role == Role::editor || role == Role::admin;
        case Action::read_history:
        case Action::read_desk:
        case Action::write_draft: return true;
    }
    return false;
}

namespace {
// Actions that act on one story, and so obey the principal's scope.
bool scoped(Action action) {
    switch (action) {
        case Action::create_story:
        case Action::manage_users:
        case Action::manage_tokens:
        case Action::read_audit: return false;
        default: return true;
    }
}
}  // namespace

void authorize(const Principal& who, Action action, const std::string& story) {
    if (!role_allows(who.role, action))
        throw Error{ErrorCode::forbidden,
                    std::string("a ") + to_string(who.role) + " may not " + to_string(action)};
    if (scoped(action) && !who.in_scope(story))
        throw Error{ErrorCode::forbidden, "not scoped to story '" + story + "'"};
}

void authorize(const Principal& who, const Command& command) {
    authorize(who, action_of(command), command_story(command));
}

void stamp_actor(Command& command, const Principal& who) {
    if (auto* d = std::get_if<DeskCommand>(&command)) {
        d->actor = who.name;
        d->actor_id = who.user_id.empty() ? who.name : who.user_id;
        d->actor_role = who.role;
    }
}

bool may_handle_draft(Role role, const std::string& actor_id, DeskAction action, const DeskItem& item) {
    if (role_allows(role, Action::review_draft)) return true;
    if (actor_id.empty() || item.owner_id != actor_id) return false;
    switch (action) {
        case DeskAction::save:
        case DeskAction::submit:
        case DeskAction::remove: return item.state == DeskState::draft;
        case DeskAction::send_back: return item.state == DeskState::in_review;
        default: return false;
    }
}

}  // namespace liveblog
