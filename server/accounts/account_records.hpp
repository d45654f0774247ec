#pragma once
// The newsroom's people and their credentials, as kept in the store's
// records (store/store.hpp "Record"): accounts, console sessions, API tokens
// and the audit log. Plain data and its storage JSON; the rules are in
// accounts/accounts.hpp.
//
// Collections (key -> body; group):
//   users        user id "u_…"            -> User; group "users"
//   user_emails  normalized email         -> {"user": id}; group ""   (email is unique)
//   sessions     SHA-256 (hex) of the id  -> Session; group = user id
//   api_tokens   token id "t_…"           -> ApiToken; group "tokens"
//   audit        time (ms, 15 digits) "-" random -> AuditEvent; group "audit"
// A session's id and an API token's secret are never stored, only their
// SHA-256: the store's contents do not let anyone sign in.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/content.hpp"
#include "core/principal.hpp"
#include "store/store.hpp"

namespace liveblog::accounts {

inline const std::string users_collection = "users";
inline const std::string emails_collection = "user_emails";
inline const std::string sessions_collection = "sessions";
inline const std::string tokens_collection = "api_tokens";
inline const std::string audit_collection = "audit";
inline const std::string users_group = "users";
inline const std::string tokens_group = "tokens";
inline const std::string audit_group = "audit";

struct User {
    std::string id;
    std::string email;  // as entered; unique by its normalized form
    std::string name;   // display name: the default author of their entries
    Role role = Role::contributor;
    std::optional<std::vector<std::string>> stories;  // scope; none = every story
    bool disabled = false;
    std::string password_hash;  // Argon2id PHC string
    Millis created_at = 0, updated_at = 0;
    // Raised by every sign-out-everywhere and password change: sessions made
    // before it no longer hold.
    std::uint32_t session_generation = 0;
};

struct Session {
    std::string key;  // SHA-256 (hex) of the cookie's id
    std::string user_id;
    std::string csrf_token;  // sent back in X-CSRF-Token on every cookie write
    Millis created_at = 0;
    Millis last_seen_at = 0;   // updated at most every session_touch_s
    Millis expires_at = 0;     // absolute: created_at + session_max_age
    std::uint32_t generation = 0;  // the user's session_generation when made
    std::string address;       // where it signed in from
    std::string user_agent;    // first 200 bytes
};

struct ApiToken {
    std::string id;           // "t_" + 16 hex
    std::string name;         // what it is for ("CMS Lyon")
    std::string secret_hash;  // SHA-256 (hex) of the secret part
    Role role = Role::editor;
    std::optional<std::vector<std::string>> stories;
    std::string created_by;   // user id
    Millis created_at = 0;
    Millis last_used_at = 0;  // updated at most every minute
    Millis revoked_at = 0;    // 0: valid
};

struct AuditEvent {
    std::string key;
    Millis at = 0;
    std::string action;      // "sign_in", "sign_in_failed", "user.created", "token.revoked", "entry.published"...
    std::string actor_id;    // who did it (user id, token sub); empty when unknown
    std::string actor_name;
    std::string target;      // what it acted on (user id, token id, story/entry)
    std::string address;     // client address when it came from a request
    nlohmann::json details = nlohmann::json::object();
};

// Lower-case ASCII letters, trimmed: "  Léa@Example.ORG " -> "léa@example.org".
std::string normalize_email(std::string_view email);
// Throws Error{bad_request} unless it looks like one address (no spaces or
// controls, one '@' with text both sides, at most 254 bytes).
void check_email(std::string_view email);

Record to_record(const User& u);
Record to_record(const Session& s);
Record to_record(const ApiToken& t);
Record to_record(const AuditEvent& e);
// Throw StoreFailure for a body that is not what it should be.
User user_from(const Record& r);
Session session_from(const Record& r);
ApiToken token_from(const Record& r);
AuditEvent audit_from(const Record& r);

// What the API shows (no hashes, no secrets).
nlohmann::json public_json(const User& u);
nlohmann::json public_json(const ApiToken& t);
nlohmann::json public_json(const AuditEvent& e);
nlohmann::json public_json(const Session& s);

// The principal an account acts as.
Principal principal_of(const User& u, CredentialKind kind, std::string credential_id, std::int64_t expires_at_s);

}  // namespace liveblog::accounts
