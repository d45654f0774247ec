#include "accounts/accounts.hpp"

#include "accounts/credentials.hpp"
#include "common/random.hpp"
#include "core/validation.hpp"

namespace liveblog::accounts {

using nlohmann::json;

namespace {

Record email_record(const std::string& email, const std::string& user_id) {
    return Record{normalize_email(email), "", json{{"user", user_id}}.dump()};
}

std::optional<std::string> user_of_email(StoreTxn& txn, const std::string& email) {
    auto r = txn.load_record(emails_collection, normalize_email(email));
    if (!r) return std::nullopt;
    try {
        return json::parse(r->body).at("user").get<std::string>();
    } catch (const json::exception& e) {
        throw StoreFailure("unreadable email record '" + r->key + "': " + e.what());
    }
}

// Every record of a group, decoded, read 500 at a time.
template <class T, class Decode>
std::vector<T> all_of(Store& store, const std::string& collection, const std::string& group, Decode decode) {
    std::vector<T> out;
    RecordQuery q{collection, group, "", 500, false};
    for (;;) {
        auto page = store.records(q);
        for (auto& r : page) out.push_back(decode(r));
        if (page.size() < q.limit) break;
        q.after = page.back().key;
    }
    return out;
}

}  // namespace

void check_name(std::string_view name, const char* field) { check_short_text(field, std::string(name), 200); }

void check_scope(const std::optional<std::vector<std::string>>& stories) {
    if (!stories) return;
    if (stories->size() > 1000) throw Error{ErrorCode::bad_request, "stories: at most 1,000"};
    for (const auto& s : *stories) check_slug(s);
}

void check_new_user(const NewUser& u) {
    check_email(u.email);
    check_name(u.name, "name");
    check_scope(u.stories);
}

User create_user(StoreTxn& txn, const NewUser& n, Millis now) {
    check_new_user(n);
    if (user_of_email(txn, n.email))
        throw Error{ErrorCode::user_exists, "an account with the email '" + n.email + "' exists"};
    User u;
    u.id = new_user_id();
    u.email = n.email;
    u.name = n.name;
    u.role = n.role;
    u.stories = n.stories;
    u.password_hash = n.password_hash;
    u.created_at = u.updated_at = now;
    txn.save_record(users_collection, to_record(u));
    txn.save_record(emails_collection, email_record(u.email, u.id));
    return u;
}

std::optional<User> load_user(StoreTxn& txn, const std::string& id) {
    auto r = txn.load_record(users_collection, id);
    if (!r) return std::nullopt;
    return user_from(*r);
}

User update_user(StoreTxn& txn, const std::string& id, const UserChanges& c, const std::string& actor_id, Millis now) {
    auto found = load_user(txn, id);
    if (!found) throw Error{ErrorCode::unknown_user, "no account '" + id + "'"};
    User u = *found;
    if (c.email) check_email(*c.email);
    if (c.name) check_name(*c.name, "name");
    if (c.stories) check_scope(*c.stories);
    if (id == actor_id && ((c.role && *c.role != u.role) || (c.disabled && *c.disabled)))
        throw Error{ErrorCode::forbidden, "you may not change your own role or disable yourself"};
    const bool new_email = c.email && normalize_email(*c.email) != normalize_email(u.email);
    if (new_email)
        if (auto other = user_of_email(txn, *c.email); other && *other != id)
            throw Error{ErrorCode::user_exists, "an account with the email '" + *c.email + "' exists"};

    // Every check passed: now save.
    if (new_email) {
        txn.delete_record(emails_collection, normalize_email(u.email));
        txn.save_record(emails_collection, email_record(*c.email, id));
    }
    if (c.email) u.email = *c.email;
    if (c.name) u.name = *c.name;
    if (c.role) u.role = *c.role;
    if (c.stories) u.stories = *c.stories;
    if (c.disabled) u.disabled = *c.disabled;
    if (c.password_hash) u.password_hash = *c.password_hash;
    // A new password or a disabling ends the sessions made before it.
    if (c.password_hash || (c.disabled && *c.disabled)) ++u.session_generation;
    u.updated_at = now;
    txn.save_record(users_collection, to_record(u));
    return u;
}

void end_all_sessions(StoreTxn& txn, const std::string& user_id, Millis now) {
    auto u = load_user(txn, user_id);
    if (!u) throw Error{ErrorCode::unknown_user, "no account '" + user_id + "'"};
    ++u->session_generation;
    u->updated_at = now;
    txn.save_record(users_collection, to_record(*u));
}

std::optional<User> find_user(Store& store, const std::string& id) {
    auto r = store.record(users_collection, id);
    if (!r) return std::nullopt;
    return user_from(*r);
}

std::optional<User> find_user_by_email(Store& store, std::string_view email) {
    auto r = store.record(emails_collection, normalize_email(email));
    if (!r) return std::nullopt;
    std::string id;
    try {
        id = json::parse(r->body).at("user").get<std::string>();
    } catch (const json::exception& e) {
        throw StoreFailure("unreadable email record '" + r->key + "': " + e.what());
    }
    auto u = find_user(store, id);
    // The email map and the account are written together; a mismatch is a
    // change of email between the two reads: no such account now.
    if (u && normalize_email(u->email) != r->key) return std::nullopt;
    return u;
}

std::vector<User> list_users(Store& store) { return all_of<User>(store, users_collection, users_group, user_from); }

std::optional<SessionLookup> find_session(Store& store, const std::string& key, Millis now, Millis idle_timeout_ms) {
    auto r = store.record(sessions_collection, key);
    if (!r) return std::nullopt;
    Session s = session_from(*r);
    if (now >= s.expires_at || now - s.last_seen_at >= idle_timeout_ms) return std::nullopt;
    auto u = find_user(store, s.user_id);
    if (!u || u->disabled || u->session_generation != s.generation) return std::nullopt;
    return SessionLookup{std::move(s), std::move(*u)};
}

ApiToken revoke_token(StoreTxn& txn, const std::string& id, Millis now) {
    auto r = txn.load_record(tokens_collection, id);
    if (!r) throw Error{ErrorCode::unknown_token, "no API token '" + id + "'"};
    ApiToken t = token_from(*r);
    if (t.revoked_at == 0) {
        t.revoked_at = now;
        txn.save_record(tokens_collection, to_record(t));
    }
    return t;
}

std::optional<ApiToken> find_token(Store& store, const std::string& id, const std::string& secret) {
    auto r = store.record(tokens_collection, id);
    if (!r) return std::nullopt;
    ApiToken t = token_from(*r);
    if (t.revoked_at != 0 || !equal_in_constant_time(sha256_hex(secret), t.secret_hash)) return std::nullopt;
    return t;
}

std::vector<ApiToken> list_tokens(Store& store) {
    return all_of<ApiToken>(store, tokens_collection, tokens_group, token_from);
}

std::string new_audit_key(Millis at) {
    std::string t = std::to_string(std::max<Millis>(at, 0));
    if (t.size() < 15) t.insert(0, 15 - t.size(), '0');
    return t + "-" + to_hex(random_bytes(4));
}

void append_audit(StoreTxn& txn, AuditEvent event) {
    if (event.key.empty()) event.key = new_audit_key(event.at);
    txn.save_record(audit_collection, to_record(event));
}

std::vector<AuditEvent> list_audit(Store& store, const std::string& before_key, std::size_t limit) {
    std::vector<AuditEvent> out;
    for (auto& r : store.records(RecordQuery{audit_collection, audit_group, before_key, limit, true}))
        out.push_back(audit_from(r));
    return out;
}

}  // namespace liveblog::accounts
