#pragma once
// Accounts at work: signing in and out, resolving a session cookie or an API
// token into a Principal, managing users and tokens, and the audit log.
//
// Everything here is asynchronous, and never blocks an I/O thread:
//  - Argon2id hashing runs on the service's own thread (one, with a bounded
//    queue: a sign-in flood queues at most max_queued_hashes, then gets
//    `overloaded`), so that it never delays page or snapshot reads;
//  - store reads run on the hub's reader threads;
//  - writes go through the hub's storage thread as jobs, in order with the
//    editors' commands.
// Replies come from whichever of those threads finished the work.
//
// Every sign-in, failed sign-in, sign-out, account change and token change
// is an audit event: a record in the store (readable by admins) and a JSON
// line on stderr.

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "accounts/account_records.hpp"
#include "accounts/accounts.hpp"
#include "accounts/login_throttle.hpp"
#include "common/work_queue.hpp"
#include "core/hub.hpp"

namespace liveblog::accounts {

struct AccountSettings {
    Millis session_idle_ms = 8LL * 3600 * 1000;
    Millis session_max_age_ms = 7LL * 86400 * 1000;
    // A session's last_seen_at is written at most this often (so idle expiry
    // is this precise), and an API token's last_used_at too.
    Millis touch_interval_ms = 5LL * 60 * 1000;
    double login_failures_per_account = 5;
    double login_attempts_per_address = 20;
    double login_window_s = 900;
    std::size_t max_queued_hashes = 64;
};

template <class T>
using Reply = std::function<void(std::variant<T, Error>)>;

// Where a request came from, for the audit log and the throttle.
struct Origin {
    std::string address;
    std::string user_agent;
};

struct SignedIn {
    User user;
    Session session;
    std::string cookie_id;  // the secret for the cookie; the store has only its hash
};

struct ResolvedSession {
    Principal principal;
    Session session;
};

struct CreatedUser {
    User user;
    std::string generated_password;  // empty when the admin gave one
};

struct CreatedToken {
    ApiToken token;
    std::string secret;  // the whole "lbt_…" token, shown once
};

struct NewUserRequest {
    std::string email, name;
    Role role = Role::contributor;
    std::optional<std::vector<std::string>> stories;
    std::string password;  // empty: one is generated
};

struct UserUpdateRequest {
    UserChanges changes;     // password_hash unused here
    std::string password;    // non-empty: set this password
};

struct Done {};

class AccountService {
public:
    AccountService(Hub& hub, AccountSettings settings);
    ~AccountService();
    AccountService(const AccountService&) = delete;
    AccountService& operator=(const AccountService&) = delete;

    // ---- credentials ----
    void sign_in(std::string email, std::string password, Origin from, Reply<SignedIn> reply);
    void resolve_session(const std::string& cookie_id, Reply<ResolvedSession> reply);
    void resolve_api_token(const std::string& token, Reply<Principal> reply);
    // Re-reads a principal's credential (an open connection's periodic check):
    // the principal as it stands now, or an error once revoked or expired.
    void recheck(const Principal& who, Reply<Principal> reply);
    void sign_out(const Principal& who, Origin from, Reply<Done> reply);
    // Ends every session of `user_id` (the caller's own, or an admin's doing).
    void sign_out_everywhere(const std::string& user_id, const Principal& actor, Origin from, Reply<Done> reply);
    void change_password(const Principal& who, std::string current, std::string next, Origin from, Reply<Done> reply);

    // ---- administration (callers have checked manage_users / manage_tokens) ----
    void list_users(Reply<std::vector<User>> reply);
    void create_user(NewUserRequest request, const Principal& actor, Origin from, Reply<CreatedUser> reply);
    void update_user(std::string id, UserUpdateRequest request, const Principal& actor, Origin from, Reply<User> reply);
    void list_tokens(Reply<std::vector<ApiToken>> reply);
    void create_token(std::string name, Role role, std::optional<std::vector<std::string>> stories,
                      const Principal& actor, Origin from, Reply<CreatedToken> reply);
    void revoke_token(std::string id, const Principal& actor, Origin from, Reply<ApiToken> reply);
    void list_audit(std::string before, std::size_t limit, Reply<std::vector<AuditEvent>> reply);

    // An audit event of another part (publish, delete, restore...).
    void audit(AuditEvent event);
    // One the server itself did (a scheduled publication): no actor, no address.
    void audit_system(std::string action, std::string target, nlohmann::json details);
    // What to log of an editor command once it commits (a publication, a
    // deletion, a story created or its status changed): call the returned
    // function with the command's result. It keeps only names, never content.
    std::function<void(const CommandResult&)> command_auditor(const Principal& who, const Command& command,
                                                              Origin from);

    // Finishes queued hashing and stops its thread. Idempotent.
    void stop();

private:
    // Runs fn on a reader thread; its Error or store failure becomes the reply.
    template <class T>
    void read(Reply<T> reply, std::function<T()> fn);
    // Runs fn on the hashing thread.
    template <class T>
    void hash_then(Reply<T> reply, std::function<void()> fn);
    // Runs fn as a storage job; an Error it throws is the reply (fn checks
    // before it saves: see accounts.hpp).
    template <class T>
    void write(Reply<T> reply, std::function<T(StoreTxn&, Millis)> fn);
    void touch_session(const Session& s, Millis now);
    void touch_token(const ApiToken& t, Millis now);
    void failed_sign_in(const std::string& email, const Origin& from, const char* why);
    static AuditEvent event(std::string action, const Principal* actor, std::string target, const Origin& from,
                            nlohmann::json details = nlohmann::json::object());
    void log_audit(const AuditEvent& e) const;

    Hub& hub_;
    AccountSettings settings_;
    LoginThrottle per_account_, per_address_;
    WorkQueue hashing_;
};

}  // namespace liveblog::accounts
