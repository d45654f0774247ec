#include "core/principal.hpp"

#include <algorithm>

namespace liveblog {

const char* to_string(Role role) {
    switch (role) {
        case Role::contributor: return "contributor";
        case Role::editor: return "editor";
        case Role::admin: return "admin";
    }
    return "editor";
}

std::optional<Role> parse_role(std::string_view text) {
    if (text == "contributor") return Role::contributor;
    if (text == "editor") return Role::editor;
    if (text == "admin") return Role::admin;
    return std::nullopt;
}

const char* to_string(CredentialKind kind) {
    switch (kind) {
        case CredentialKind::signed_token: return "signed_token";
        case CredentialKind::api_token: return "api_token";
        case CredentialKind::session: return "session";
    }
    return "signed_token";
}

bool Principal::in_scope(const std::string& story) const {
    return !stories || std::find(stories->begin(), stories->end(), story) != stories->end();
}

}  // namespace liveblog
