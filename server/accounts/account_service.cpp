#include "accounts/account_service.hpp"

#include "accounts/credentials.hpp"
#include "accounts/password.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"

namespace liveblog::accounts {

using nlohmann::json;

namespace {

template <class T>
void fail(const Reply<T>& reply, ErrorCode code, std::string message) {
    reply(Error{code, std::move(message)});
}

// The unauthorized answer for every ended credential: it does not say why.
Error ended(const char* what) {
    return Error{ErrorCode::unauthorized, std::string("the ") + what + " is no longer valid; sign in again"};
}

}  // namespace

AccountService::AccountService(Hub& hub, AccountSettings settings)
    : hub_(hub),
      settings_(settings),
      per_account_(settings.login_failures_per_account, settings.login_window_s),
      per_address_(settings.login_attempts_per_address, settings.login_window_s),
      hashing_("accounts", 1, settings.max_queued_hashes) {}

AccountService::~AccountService() { stop(); }

void AccountService::stop() { hashing_.stop(); }

// ---------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------

template <class T>
void AccountService::read(Reply<T> reply, std::function<T()> fn) {
    auto posted = hub_.run_read([reply, fn = std::move(fn)] {
        std::variant<T, Error> out = Error{};
        try {
            out = fn();
        } catch (const Error& e) {
            out = e;
        } catch (const std::exception& e) {
            log_error("accounts: store read failed: ", e.what());
            out = Error{ErrorCode::store_unavailable, "the store could not be read; retry"};
        }
        reply(std::move(out));
    });
    if (posted == WorkQueue::Posted::full) fail(reply, ErrorCode::overloaded, "too many reads waiting; retry shortly");
    if (posted == WorkQueue::Posted::stopping) fail(reply, ErrorCode::shutting_down, "the server is shutting down");
}

template <class T>
void AccountService::hash_then(Reply<T> reply, std::function<void()> fn) {
    auto posted = hashing_.post([reply, fn = std::move(fn)] {
        try {
            fn();
        } catch (const Error& e) {
            reply(e);
        } catch (const std::exception& e) {
            log_error("accounts: ", e.what());
            reply(Error{ErrorCode::store_unavailable, "the store could not be read; retry"});
        }
    });
    if (posted == WorkQueue::Posted::full)
        fail(reply, ErrorCode::overloaded, "too many sign-ins and password changes waiting; retry shortly");
    if (posted == WorkQueue::Posted::stopping) fail(reply, ErrorCode::shutting_down, "the server is shutting down");
}

template <class T>
void AccountService::write(Reply<T> reply, std::function<T(StoreTxn&, Millis)> fn) {
    // The job may run more than once (a shared store retries): each run
    // starts from nothing and the last one's value is the reply.
    auto value = std::make_shared<std::optional<T>>();
    hub_.submit_job(
        [fn = std::move(fn), value](StoreTxn& txn, Millis now) {
            value->reset();
            try {
                *value = fn(txn, now);
                return CommandResult{};
            } catch (const Error& e) {
                return CommandResult::failure(e.code, e.message);
            }
        },
        [reply, value](const CommandResult& r) {
            if (!r.ok()) return reply(Error{r.code, r.message});
            reply(std::move(**value));
        });
}

AuditEvent AccountService::event(std::string action, const Principal* actor, std::string target, const Origin& from,
                                 json details) {
    AuditEvent e;
    e.at = now_millis();
    e.key = new_audit_key(e.at);
    e.action = std::move(action);
    if (actor) {
        e.actor_id = actor->user_id;
        e.actor_name = actor->name;
    }
    e.target = std::move(target);
    e.address = from.address;
    e.details = std::move(details);
    return e;
}

void AccountService::log_audit(const AuditEvent& e) const {
    json line = public_json(e);
    line["log"] = "audit";
    write_raw_log_line(line.dump(-1, ' ', false, json::error_handler_t::replace));
}

void AccountService::audit(AuditEvent e) {
    if (e.key.empty()) e.key = new_audit_key(e.at);
    log_audit(e);
    hub_.submit_job(
        [e](StoreTxn& txn, Millis) {
            append_audit(txn, e);
            return CommandResult{};
        },
        [](const CommandResult& r) {
            if (!r.ok()) log_warn("accounts: an audit event was not stored: ", r.message);
        });
}

void AccountService::audit_system(std::string action, std::string target, json details) {
    audit(event(std::move(action), nullptr, std::move(target), {}, std::move(details)));
}

std::function<void(const CommandResult&)> AccountService::command_auditor(const Principal& who,
                                                                          const Command& command, Origin from) {
    std::string action;
    json details = json::object();
    if (std::holds_alternative<PostEntry>(command)) action = "entry.published";
    else if (std::holds_alternative<DeleteEntry>(command)) action = "entry.deleted";
    else if (const auto* u = std::get_if<UpdateEntry>(&command); u && u->restores) {
        action = "entry.restored";
        details["version"] = *u->restores;
    } else if (const auto* d = std::get_if<DeskCommand>(&command)) {
        switch (d->action) {
            case DeskAction::publish: action = "entry.published"; details["from"] = "desk"; break;
            case DeskAction::schedule:
                action = "entry.scheduled";
                details["publish_at"] = format_iso8601(d->publish_at);
                break;
            case DeskAction::unschedule: action = "entry.unscheduled"; break;
            case DeskAction::send_back: action = "draft.sent_back"; break;
            case DeskAction::remove: action = "draft.deleted"; break;
            default: break;  // saving and submitting are in the entry's history
        }
    }
    else if (std::holds_alternative<CreateStory>(command)) action = "story.created";
    else if (const auto* u = std::get_if<UpdateStory>(&command); u && u->status) {
        action = "story.status_changed";
        details["status"] = to_string(*u->status);
    }
    if (action.empty()) return [](const CommandResult&) {};
    return [this, who, from = std::move(from), action, details, story = command_story(command)](const CommandResult& r) {
        if (!r.ok() || r.duplicate) return;
        json d = details;
        d["seq"] = r.seq;
        const std::string& id = r.desk ? r.desk->draft_id : r.entry_id;
        audit(event(action, &who, id.empty() ? story : story + "/" + id, from, d));
    };
}

// ---------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------

void AccountService::failed_sign_in(const std::string& email, const Origin& from, const char* why) {
    audit(event("sign_in_failed", nullptr, normalize_email(email), from, {{"reason", why}}));
}

void AccountService::sign_in(std::string email, std::string password, Origin from, Reply<SignedIn> reply) {
    // No account has an email over 254 bytes nor a password over 1 KiB: such
    // an attempt is refused before it becomes a throttle key, an audit record
    // or Argon2 work (a 1 MiB "email" per request would otherwise grow both).
    if (email.size() > 254 || password.size() > max_password_bytes) {
        if (long wait = per_address_.take("ip:" + from.address))
            return reply(Error{ErrorCode::rate_limited,
                               "too many sign-in attempts from this address; retry in " + std::to_string(wait) + " s", wait});
        return reply(Error{ErrorCode::bad_credentials, "wrong email or password"});
    }
    const std::string who = normalize_email(email);
    // The address pays for every attempt, the account for failures only: a
    // guesser is slowed without locking a journalist out from elsewhere.
    if (long wait = per_address_.take("ip:" + from.address)) {
        failed_sign_in(email, from, "throttled_address");
        return reply(Error{ErrorCode::rate_limited,
                           "too many sign-in attempts from this address; retry in " + std::to_string(wait) + " s", wait});
    }
    if (long wait = per_account_.retry_after(who)) {
        failed_sign_in(email, from, "throttled_account");
        return reply(Error{ErrorCode::rate_limited,
                           "too many failed sign-ins for this account; retry in " + std::to_string(wait) + " s", wait});
    }
    hash_then(reply, [this, who, email = std::move(email), password = std::move(password), from, reply] {
        // Unknown accounts cost a verification too: the answer's timing does
        // not tell which emails have an account.
        static const std::string dummy_hash = hash_password("not the password of anyone");
        auto user = find_user_by_email(hub_.store(), who);
        const bool good = verify_password(user ? user->password_hash : dummy_hash, password) && user;
        if (!good) {
            per_account_.take(who);
            failed_sign_in(email, from, user ? "bad_password" : "unknown_email");
            return reply(Error{ErrorCode::bad_credentials, "wrong email or password"});
        }
        if (user->disabled) {
            failed_sign_in(email, from, "disabled");
            return reply(Error{ErrorCode::account_disabled, "this account is disabled; ask an admin"});
        }
        // Sessions of this user that ended, swept as a new one starts.
        std::vector<std::string> stale;
        const Millis now = now_millis();
        for (auto& r : hub_.store().records({sessions_collection, user->id, "", 200, false})) {
            Session s = session_from(r);
            if (now >= s.expires_at || now - s.last_seen_at >= settings_.session_idle_ms ||
                s.generation != user->session_generation)
                stale.push_back(r.key);
        }
        auto signed_in = std::make_shared<SignedIn>();
        signed_in->cookie_id = new_secret();
        std::string key = sha256_hex(signed_in->cookie_id);
        std::string csrf = new_secret();
        std::string user_id = user->id;
        AuditEvent ev = event("sign_in", nullptr, user->id, from);
        ev.actor_id = user->id;
        ev.actor_name = user->name;
        log_audit(ev);
        write<SignedIn>(reply, [this, signed_in, key, csrf, user_id, stale, from, ev](StoreTxn& txn, Millis now) {
            auto u = load_user(txn, user_id);
            if (!u || u->disabled) throw Error{ErrorCode::account_disabled, "this account is disabled; ask an admin"};
            for (auto& k : stale) txn.delete_record(sessions_collection, k);
            Session s;
            s.key = key;
            s.user_id = u->id;
            s.csrf_token = csrf;
            s.created_at = s.last_seen_at = now;
            s.expires_at = now + settings_.session_max_age_ms;
            s.generation = u->session_generation;
            s.address = from.address;
            s.user_agent = from.user_agent.substr(0, 200);
            txn.save_record(sessions_collection, to_record(s));
            append_audit(txn, ev);
            SignedIn out = *signed_in;
            out.user = *u;
            out.session = s;
            return out;
        });
    });
}

namespace {
// A job that rewrites a record's "last seen" time, only if the record still
// exists (a sign-out or revocation in between stays one).
template <class T, class From, class Set>
StorageWriter::Job touch_job(const std::string& collection, std::string key, Millis now, From from, Set set) {
    return [collection, key = std::move(key), now, from, set](StoreTxn& txn, Millis) {
        if (auto r = txn.load_record(collection, key)) {
            T value = from(*r);
            set(value, now);
            txn.save_record(collection, to_record(value));
        }
        return CommandResult{};
    };
}
}  // namespace

void AccountService::touch_session(const Session& s, Millis now) {
    if (now - s.last_seen_at < settings_.touch_interval_ms) return;
    hub_.submit_job(touch_job<Session>(sessions_collection, s.key, now, session_from,
                                       [](Session& v, Millis t) { v.last_seen_at = std::max(v.last_seen_at, t); }),
                    [](const CommandResult&) {});
}

void AccountService::touch_token(const ApiToken& t, Millis now) {
    if (now - t.last_used_at < 60 * 1000) return;
    hub_.submit_job(touch_job<ApiToken>(tokens_collection, t.id, now, token_from,
                                        [](ApiToken& v, Millis t) { v.last_used_at = std::max(v.last_used_at, t); }),
                    [](const CommandResult&) {});
}

void AccountService::resolve_session(const std::string& cookie_id, Reply<ResolvedSession> reply) {
    read<ResolvedSession>(reply, [this, key = sha256_hex(cookie_id)] {
        const Millis now = now_millis();
        auto found = find_session(hub_.store(), key, now, settings_.session_idle_ms);
        if (!found) throw ended("session");
        touch_session(found->session, now);
        return ResolvedSession{principal_of(found->user, CredentialKind::session, key, found->session.expires_at / 1000),
                               found->session};
    });
}

namespace {
Principal token_principal(const ApiToken& t) {
    Principal p;
    p.kind = CredentialKind::api_token;
    p.user_id = t.id;
    p.name = t.name;
    p.role = t.role;
    p.stories = t.stories;
    p.credential_id = t.id;
    return p;
}
}  // namespace

void AccountService::resolve_api_token(const std::string& token, Reply<Principal> reply) {
    auto parts = parse_api_token(token);
    if (!parts) return reply(Error{ErrorCode::unauthorized, "malformed API token"});
    read<Principal>(reply, [this, parts = *parts] {
        auto t = find_token(hub_.store(), parts.id, parts.secret);
        if (!t) throw ended("API token");
        touch_token(*t, now_millis());
        return token_principal(*t);
    });
}

void AccountService::recheck(const Principal& who, Reply<Principal> reply) {
    switch (who.kind) {
        case CredentialKind::signed_token:
            if (who.expires_at != 0 && who.expires_at <= now_millis() / 1000)
                return reply(Error{ErrorCode::token_expired, "the token has expired"});
            return reply(who);
        case CredentialKind::session:
            return read<Principal>(reply, [this, key = who.credential_id] {
                const Millis now = now_millis();
                auto found = find_session(hub_.store(), key, now, settings_.session_idle_ms);
                if (!found) throw ended("session");
                touch_session(found->session, now);
                return principal_of(found->user, CredentialKind::session, key, found->session.expires_at / 1000);
            });
        case CredentialKind::api_token:
            return read<Principal>(reply, [this, id = who.credential_id] {
                auto r = hub_.store().record(tokens_collection, id);
                if (!r) throw ended("API token");
                ApiToken t = token_from(*r);
                if (t.revoked_at != 0) throw ended("API token");
                return token_principal(t);
            });
    }
}

void AccountService::sign_out(const Principal& who, Origin from, Reply<Done> reply) {
    if (who.kind != CredentialKind::session)
        return reply(Error{ErrorCode::bad_request, "only a console session signs out; revoke a token instead"});
    AuditEvent ev = event("sign_out", &who, who.user_id, from);
    log_audit(ev);
    write<Done>(reply, [key = who.credential_id, ev](StoreTxn& txn, Millis) {
        txn.delete_record(sessions_collection, key);
        append_audit(txn, ev);
        return Done{};
    });
}

void AccountService::sign_out_everywhere(const std::string& user_id, const Principal& actor, Origin from,
                                         Reply<Done> reply) {
    AuditEvent ev = event("sign_out_everywhere", &actor, user_id, from);
    write<Done>(reply, [this, user_id, ev](StoreTxn& txn, Millis now) {
        end_all_sessions(txn, user_id, now);
        append_audit(txn, ev);
        log_audit(ev);
        return Done{};
    });
}

void AccountService::change_password(const Principal& who, std::string current, std::string next, Origin from,
                                     Reply<Done> reply) {
    if (who.kind != CredentialKind::session)
        return reply(Error{ErrorCode::bad_request, "a password is changed from a console session"});
    try {
        check_password_rule(next);
    } catch (const Error& e) {
        return reply(e);
    }
    hash_then(reply, [this, who, current = std::move(current), next = std::move(next), from, reply] {
        auto user = find_user(hub_.store(), who.user_id);
        if (!user || !verify_password(user->password_hash, current))
            return reply(Error{ErrorCode::bad_credentials, "the current password is wrong"});
        UserChanges c;
        c.password_hash = hash_password(next);
        AuditEvent ev = event("password_changed", &who, who.user_id, from);
        write<Done>(reply, [this, who, c, ev](StoreTxn& txn, Millis now) {
            accounts::update_user(txn, who.user_id, c, who.user_id, now);
            append_audit(txn, ev);
            log_audit(ev);
            return Done{};
        });
    });
}

// ---------------------------------------------------------------------------
// Administration
// ---------------------------------------------------------------------------

void AccountService::list_users(Reply<std::vector<User>> reply) {
    read<std::vector<User>>(reply, [this] { return accounts::list_users(hub_.store()); });
}

void AccountService::create_user(NewUserRequest req, const Principal& actor, Origin from, Reply<CreatedUser> reply) {
    try {
        check_new_user(NewUser{req.email, req.name, req.role, req.stories, {}});
        if (!req.password.empty()) check_password_rule(req.password);
    } catch (const Error& e) {
        return reply(e);
    }
    hash_then(reply, [this, req = std::move(req), actor, from, reply] {
        CreatedUser out;
        std::string password = req.password;
        if (password.empty()) password = out.generated_password = generate_password();
        NewUser n{req.email, req.name, req.role, req.stories, hash_password(password)};
        write<CreatedUser>(reply, [this, n, out, actor, from](StoreTxn& txn, Millis now) {
            CreatedUser done = out;
            done.user = accounts::create_user(txn, n, now);
            AuditEvent ev = event("user.created", &actor, done.user.id, from,
                                  {{"email", done.user.email}, {"role", to_string(done.user.role)}});
            append_audit(txn, ev);
            log_audit(ev);
            return done;
        });
    });
}

void AccountService::update_user(std::string id, UserUpdateRequest req, const Principal& actor, Origin from,
                                 Reply<User> reply) {
    auto apply = [this, id, actor, from, reply](UserChanges c) {
        write<User>(reply, [this, id, c, actor, from](StoreTxn& txn, Millis now) {
            auto before = load_user(txn, id);
            User u = accounts::update_user(txn, id, c, actor.user_id, now);
            json details = json::object();
            if (before && before->role != u.role) details["role"] = {{"from", to_string(before->role)}, {"to", to_string(u.role)}};
            if (before && before->disabled != u.disabled) details["disabled"] = u.disabled;
            if (before && before->stories != u.stories) details["stories"] = u.stories ? json(*u.stories) : json(nullptr);
            if (before && before->name != u.name) details["name"] = u.name;
            if (before && before->email != u.email) details["email"] = u.email;
            if (c.password_hash) details["password"] = "reset";
            const char* action = details.contains("role") ? "user.role_changed" : "user.updated";
            AuditEvent ev = event(action, &actor, id, from, details);
            append_audit(txn, ev);
            log_audit(ev);
            return u;
        });
    };
    if (req.password.empty()) return apply(req.changes);
    try {
        check_password_rule(req.password);
    } catch (const Error& e) {
        return reply(e);
    }
    hash_then(reply, [req = std::move(req), apply] {
        UserChanges c = req.changes;
        c.password_hash = hash_password(req.password);
        apply(c);
    });
}

void AccountService::list_tokens(Reply<std::vector<ApiToken>> reply) {
    read<std::vector<ApiToken>>(reply, [this] { return accounts::list_tokens(hub_.store()); });
}

void AccountService::create_token(std::string name, Role role, std::optional<std::vector<std::string>> stories,
                                  const Principal& actor, Origin from, Reply<CreatedToken> reply) {
    try {
        check_name(name, "name");
        check_scope(stories);
    } catch (const Error& e) {
        return reply(e);
    }
    ApiToken t;
    t.id = new_api_token_id();
    t.name = std::move(name);
    t.role = role;
    t.stories = std::move(stories);
    t.created_by = actor.user_id;
    std::string secret = new_secret();
    t.secret_hash = sha256_hex(secret);
    CreatedToken out{t, format_api_token(t.id, secret)};
    write<CreatedToken>(reply, [this, out, actor, from](StoreTxn& txn, Millis now) {
        CreatedToken done = out;
        done.token.created_at = now;
        txn.save_record(tokens_collection, to_record(done.token));
        AuditEvent ev = event("token.created", &actor, done.token.id, from,
                              {{"name", done.token.name}, {"role", to_string(done.token.role)}});
        append_audit(txn, ev);
        log_audit(ev);
        return done;
    });
}

void AccountService::revoke_token(std::string id, const Principal& actor, Origin from, Reply<ApiToken> reply) {
    write<ApiToken>(reply, [this, id, actor, from](StoreTxn& txn, Millis now) {
        ApiToken t = accounts::revoke_token(txn, id, now);
        AuditEvent ev = event("token.revoked", &actor, id, from, {{"name", t.name}});
        append_audit(txn, ev);
        log_audit(ev);
        return t;
    });
}

void AccountService::list_audit(std::string before, std::size_t limit, Reply<std::vector<AuditEvent>> reply) {
    read<std::vector<AuditEvent>>(reply, [this, before = std::move(before), limit] {
        return accounts::list_audit(hub_.store(), before, std::min<std::size_t>(limit, 500));
    });
}

}  // namespace liveblog::accounts
