#pragma once
// Who is acting: the identity every editor-side request is authorized as,
// whatever credential proved it (a signed token, an API token or a console
// session). core/authorization decides what a principal may do.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liveblog {

// contributor < editor < admin (docs/protocol.md, "Roles").
enum class Role { contributor, editor, admin };

const char* to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

enum class CredentialKind {
    signed_token,  // an HS256 JWT (liveblog-server token)
    api_token,     // an API token an admin made in the console
    session,       // a console session cookie
};

const char* to_string(CredentialKind kind);

struct Principal {
    CredentialKind kind = CredentialKind::signed_token;
    // The account acting ("u_…"); for a signed token, its `sub`.
    std::string user_id;
    // The default author of entries: an account's display name, a token's sub.
    std::string name;
    Role role = Role::editor;
    // Stories it may act on; none = every story.
    std::optional<std::vector<std::string>> stories;
    // The session or API token behind it (empty for a signed token): what a
    // revocation names.
    std::string credential_id;
    // Seconds since the epoch after which it no longer holds (0: no limit).
    std::int64_t expires_at = 0;

    bool in_scope(const std::string& story) const;
};

}  // namespace liveblog
