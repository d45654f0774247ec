#include "accounts/account_records.hpp"

#include "common/clock.hpp"
#include "common/error_code.hpp"

namespace liveblog::accounts {

using nlohmann::json;

std::string normalize_email(std::string_view email) {
    while (!email.empty() && (email.front() == ' ' || email.front() == '\t')) email.remove_prefix(1);
    while (!email.empty() && (email.back() == ' ' || email.back() == '\t')) email.remove_suffix(1);
    std::string out(email);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

void check_email(std::string_view email) {
    const auto at = email.find('@');
    bool ok = !email.empty() && email.size() <= 254 && at != std::string_view::npos && at > 0 &&
              at + 1 < email.size() && email.find('@', at + 1) == std::string_view::npos;
    for (unsigned char c : email) ok = ok && c > 0x20 && c != 0x7f;
    if (!ok) throw Error{ErrorCode::bad_request, "email: one address, like name@example.org"};
}

namespace {

json scope_json(const std::optional<std::vector<std::string>>& stories) {
    return stories ? json(*stories) : json(nullptr);
}

std::optional<std::vector<std::string>> scope_from(const json& j) {
    if (j.is_null()) return std::nullopt;
    return j.get<std::vector<std::string>>();
}

Role role_from(const json& j) {
    auto r = parse_role(j.get<std::string>());
    if (!r) throw StoreFailure("unknown role '" + j.get<std::string>() + "'");
    return *r;
}

// Parses a record body; a malformed one is corruption, reported as StoreFailure.
template <class F>
auto decode(const Record& r, const char* what, F f) {
    try {
        return f(json::parse(r.body));
    } catch (const json::exception& e) {
        throw StoreFailure(std::string("unreadable ") + what + " record '" + r.key + "': " + e.what());
    }
}


}  // namespace

Record to_record(const User& u) {
    json j{{"id", u.id},
           {"email", u.email},
           {"name", u.name},
           {"role", to_string(u.role)},
           {"stories", scope_json(u.stories)},
           {"disabled", u.disabled},
           {"password_hash", u.password_hash},
           {"created_at", u.created_at},
           {"updated_at", u.updated_at},
           {"session_generation", u.session_generation}};
    return Record{u.id, users_group, j.dump()};
}

User user_from(const Record& r) {
    return decode(r, "user", [&](const json& j) {
        User u;
        u.id = j.at("id").get<std::string>();
        u.email = j.at("email").get<std::string>();
        u.name = j.at("name").get<std::string>();
        u.role = role_from(j.at("role"));
        u.stories = scope_from(j.at("stories"));
        u.disabled = j.at("disabled").get<bool>();
        u.password_hash = j.at("password_hash").get<std::string>();
        u.created_at = j.at("created_at").get<Millis>();
        u.updated_at = j.at("updated_at").get<Millis>();
        u.session_generation = j.value("session_generation", 0u);
        return u;
    });
}

Record to_record(const Session& s) {
    json j{{"user", s.user_id},         {"csrf", s.csrf_token},     {"created_at", s.created_at},
           {"last_seen_at", s.last_seen_at}, {"expires_at", s.expires_at}, {"generation", s.generation},
           {"address", s.address},      {"user_agent", s.user_agent}};
    return Record{s.key, s.user_id, j.dump()};
}

Session session_from(const Record& r) {
    return decode(r, "session", [&](const json& j) {
        Session s;
        s.key = r.key;
        s.user_id = j.at("user").get<std::string>();
        s.csrf_token = j.at("csrf").get<std::string>();
        s.created_at = j.at("created_at").get<Millis>();
        s.last_seen_at = j.at("last_seen_at").get<Millis>();
        s.expires_at = j.at("expires_at").get<Millis>();
        s.generation = j.value("generation", 0u);
        s.address = j.value("address", "");
        s.user_agent = j.value("user_agent", "");
        return s;
    });
}

Record to_record(const ApiToken& t) {
    json j{{"id", t.id},
           {"name", t.name},
           {"secret_hash", t.secret_hash},
           {"role", to_string(t.role)},
           {"stories", scope_json(t.stories)},
           {"created_by", t.created_by},
           {"created_at", t.created_at},
           {"last_used_at", t.last_used_at},
           {"revoked_at", t.revoked_at}};
    return Record{t.id, tokens_group, j.dump()};
}

ApiToken token_from(const Record& r) {
    return decode(r, "API token", [&](const json& j) {
        ApiToken t;
        t.id = j.at("id").get<std::string>();
        t.name = j.at("name").get<std::string>();
        t.secret_hash = j.at("secret_hash").get<std::string>();
        t.role = role_from(j.at("role"));
        t.stories = scope_from(j.at("stories"));
        t.created_by = j.at("created_by").get<std::string>();
        t.created_at = j.at("created_at").get<Millis>();
        t.last_used_at = j.at("last_used_at").get<Millis>();
        t.revoked_at = j.at("revoked_at").get<Millis>();
        return t;
    });
}

Record to_record(const AuditEvent& e) {
    json j{{"at", e.at},         {"action", e.action}, {"actor_id", e.actor_id}, {"actor_name", e.actor_name},
           {"target", e.target}, {"address", e.address}, {"details", e.details}};
    return Record{e.key, audit_group, j.dump(-1, ' ', false, json::error_handler_t::replace)};
}

AuditEvent audit_from(const Record& r) {
    return decode(r, "audit", [&](const json& j) {
        AuditEvent e;
        e.key = r.key;
        e.at = j.at("at").get<Millis>();
        e.action = j.at("action").get<std::string>();
        e.actor_id = j.value("actor_id", "");
        e.actor_name = j.value("actor_name", "");
        e.target = j.value("target", "");
        e.address = j.value("address", "");
        e.details = j.value("details", json::object());
        return e;
    });
}

json public_json(const User& u) {
    return {{"id", u.id},
            {"email", u.email},
            {"name", u.name},
            {"role", to_string(u.role)},
            {"stories", scope_json(u.stories)},
            {"disabled", u.disabled},
            {"created_at", format_iso8601(u.created_at)},
            {"updated_at", format_iso8601(u.updated_at)}};
}

json public_json(const ApiToken& t) {
    json j{{"id", t.id},
           {"name", t.name},
           {"role", to_string(t.role)},
           {"stories", scope_json(t.stories)},
           {"created_by", t.created_by},
           {"created_at", format_iso8601(t.created_at)},
           {"last_used_at", t.last_used_at ? json(format_iso8601(t.last_used_at)) : json(nullptr)},
           {"revoked_at", t.revoked_at ? json(format_iso8601(t.revoked_at)) : json(nullptr)}};
    return j;
}

json public_json(const AuditEvent& e) {
    return {{"id", e.key},
            {"at", format_iso8601(e.at)},
            {"action", e.action},
            {"actor", {{"id", e.actor_id}, {"name", e.actor_name}}},
            {"target", e.target},
            {"address", e.address},
            {"details", e.details}};
}

json public_json(const Session& s) {
    return {{"created_at", format_iso8601(s.created_at)},
            {"last_seen_at", format_iso8601(s.last_seen_at)},
            {"expires_at", format_iso8601(s.expires_at)},
            {"address", s.address},
            {"user_agent", s.user_agent}};
}

Principal principal_of(const User& u, CredentialKind kind, std::string credential_id, std::int64_t expires_at_s) {
    Principal p;
    p.kind = kind;
    p.user_id = u.id;
    p.name = u.name;
    p.role = u.role;
    p.stories = u.stories;
    p.credential_id = std::move(credential_id);
    p.expires_at = expires_at_s;
    return p;
}

}  // namespace liveblog::accounts
