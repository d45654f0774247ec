#pragma once
// The rules of accounts, sessions and API tokens, as operations on one store
// transaction (so they batch with the editors' commands on the storage
// thread, and the command line uses them too). Each checks everything
// before it saves anything, then throws Error (a business refusal) or
// returns; a refusal thus never leaves a half-written transaction behind.

#include <optional>
#include <string>
#include <vector>

#include "accounts/account_records.hpp"

namespace liveblog::accounts {

struct NewUser {
    std::string email, name;
    Role role = Role::contributor;
    std::optional<std::vector<std::string>> stories;
    std::string password_hash;
};

// Throws Error{bad_request, invalid_slug} for a field outside its rule.
void check_new_user(const NewUser& u);

// Throws Error{user_exists}.
User create_user(StoreTxn& txn, const NewUser& u, Millis now);

struct UserChanges {
    std::optional<std::string> email, name;
    std::optional<Role> role;
    std::optional<std::optional<std::vector<std::string>>> stories;  // set to a scope, or to none
    std::optional<bool> disabled;
    std::optional<std::string> password_hash;
};

// `actor_id` may not demote or disable itself (so an admin always remains).
// A new password or a disabling ends every session of the user.
// Throws Error{unknown_user, user_exists, forbidden, bad_request}.
User update_user(StoreTxn& txn, const std::string& id, const UserChanges& changes, const std::string& actor_id,
                 Millis now);

// Ends every session of the user (those made before now stop holding).
void end_all_sessions(StoreTxn& txn, const std::string& user_id, Millis now);

std::optional<User> load_user(StoreTxn& txn, const std::string& id);
std::optional<User> find_user(Store& store, const std::string& id);
std::optional<User> find_user_by_email(Store& store, std::string_view email);
std::vector<User> list_users(Store& store);

// A session's standing, read from the store: the session and its user, if
// the session exists, has not expired (idle or absolute), and the user is
// enabled and has not ended it.
struct SessionLookup {
    Session session;
    User user;
};
std::optional<SessionLookup> find_session(Store& store, const std::string& key, Millis now, Millis idle_timeout_ms);

// Throws Error{unknown_token}.
ApiToken revoke_token(StoreTxn& txn, const std::string& id, Millis now);
// The token if it exists, is not revoked and its secret matches.
std::optional<ApiToken> find_token(Store& store, const std::string& id, const std::string& secret);
std::vector<ApiToken> list_tokens(Store& store);

// "0001790000000000-3f9a…": sorts by time, unique.
std::string new_audit_key(Millis at);
void append_audit(StoreTxn& txn, AuditEvent event);
std::vector<AuditEvent> list_audit(Store& store, const std::string& before_key, std::size_t limit);

// Checks a name (display name, token name): 1 to 200 bytes, no control characters.
void check_name(std::string_view name, const char* field);
// Throws Error{invalid_slug} for a scope with a bad story id, bad_request for more than 1,000.
void check_scope(const std::optional<std::vector<std::string>>& stories);

}  // namespace liveblog::accounts
