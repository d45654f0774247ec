#include "transport/admin_handler.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "accounts/credentials.hpp"
#include "core/authorization.hpp"
#include "core/desk.hpp"
#include "protocol/codec.hpp"
#include "protocol/messages.hpp"

namespace liveblog {

namespace {
constexpr int max_failed_auths = 3;
std::int64_t now_seconds() { return now_millis() / 1000; }
}  // namespace

namespace {
std::atomic<std::uint64_t> next_presence_id{1};
}  // namespace

AdminHandler::AdminHandler(Connection& session, Hub& hub, accounts::AccountService& accounts,
                           EditorPresence& presence, std::string secret, AdminCredential credential,
                           double auth_timeout_s, double recheck_s, AdminInboundLimits limits,
                           ContentLimits content_limits)
    : session_(session), hub_(hub), accounts_(accounts), presence_(presence), presence_id_(next_presence_id++),
      secret_(std::move(secret)), initial_(std::move(credential)),
      recheck_s_(recheck_s), principal_(initial_.principal), auth_timeout_s_(auth_timeout_s), inbound_(limits),
      limits_(content_limits) {}

void AdminHandler::on_open() {
    deadline_ = std::make_unique<net::steady_timer>(session_.shard_context().ioc);
    recheck_timer_ = std::make_unique<net::steady_timer>(session_.shard_context().ioc);
    if (principal_) {
        become_authenticated();
        return;
    }
    become_anonymous();
    // Resolved off this thread; until then the connection is anonymous.
    if (!initial_.api_token.empty()) resolve(false, std::move(initial_.api_token), nullptr);
    else if (!initial_.session_cookie.empty()) resolve(true, std::move(initial_.session_cookie), nullptr);
}

void AdminHandler::on_close() {
    presence_.remove(presence_id_);
    if (deadline_) deadline_->cancel();
    if (recheck_timer_) recheck_timer_->cancel();
}

void AdminHandler::resolve(bool session, std::string secret, nlohmann::json request_id) {
    std::weak_ptr<Connection> weak = session_.weak();
    ShardContext& shard = session_.shard_context();
    auto back = [weak, &shard, this, request_id](std::variant<Principal, Error> result) {
        Connection::post_to(weak, shard, [this, result = std::move(result), request_id](Connection&) mutable {
            on_resolved(std::move(result), request_id);
        });
    };
    if (!session) return accounts_.resolve_api_token(secret, back);
    accounts_.resolve_session(secret, [back](std::variant<accounts::ResolvedSession, Error> r) {
        if (auto* e = std::get_if<Error>(&r)) return back(*e);
        back(std::move(std::get<accounts::ResolvedSession>(r).principal));
    });
}

void AdminHandler::on_resolved(std::variant<Principal, Error> result, const nlohmann::json& request_id) {
    if (auto* e = std::get_if<Error>(&result)) {
        reply_error(e->code, e->message, request_id);
        if (++failed_auths_ >= max_failed_auths)
            session_.close(close_code::auth_failed, "authentication failed", false);
        return;
    }
    principal_ = std::move(std::get<Principal>(result));
    failed_auths_ = 0;
    become_authenticated();
    send_authenticated(request_id);
}

void AdminHandler::send_authenticated(const nlohmann::json& request_id) {
    nlohmann::json reply{{"type", "authenticated"},
                         {"sub", principal_->name},
                         {"user_id", principal_->user_id},
                         {"role", to_string(principal_->role)},
                         {"credential", to_string(principal_->kind)}};
    if (principal_->expires_at) reply["expires_at"] = format_iso8601(principal_->expires_at * 1000);
    if (principal_->stories) reply["stories"] = *principal_->stories;
    if (!request_id.is_null()) reply["request_id"] = request_id;
    session_.send_text(reply.dump());
}

void AdminHandler::arm_recheck() {
    if (!principal_ || principal_->kind == CredentialKind::signed_token) return;
    recheck_timer_->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(recheck_s_)));
    std::weak_ptr<Connection> weak = session_.weak();
    recheck_timer_->async_wait([weak, this](error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->closing()) return;
        recheck();
    });
}

void AdminHandler::recheck() {
    if (!principal_) return;
    std::weak_ptr<Connection> weak = session_.weak();
    ShardContext& shard = session_.shard_context();
    const std::string checked = principal_->credential_id;
    accounts_.recheck(*principal_, [weak, &shard, this, checked](std::variant<Principal, Error> result) {
        Connection::post_to(weak, shard, [this, result = std::move(result), checked](Connection&) mutable {
            // Another `auth` replaced the credential meanwhile: this answer is about the old one.
            if (!principal_ || principal_->credential_id != checked) return;
            if (auto* e = std::get_if<Error>(&result)) {
                if (e->code == ErrorCode::unauthorized || e->code == ErrorCode::token_expired) {
                    principal_.reset();
                    reply_error(ErrorCode::unauthorized, "the credential was revoked or has ended", nullptr);
                    session_.close(close_code::auth_failed, "credential revoked", false);
                    return;
                }
                // The store could not say (unavailable): keep the connection, ask again.
            } else {
                principal_ = std::move(std::get<Principal>(result));  // role, scope or name may have changed
            }
            arm_recheck();
        });
    });
}

void AdminHandler::become_authenticated() {
    session_.set_inbound_limits(inbound_.authenticated_message_bytes, inbound_.authenticated_per_s,
                                inbound_.authenticated_burst);
    // At most a day ahead: a token may run to the year 9999, whose distance
    // in steady_clock nanoseconds overflows. on_deadline() re-arms until exp.
    constexpr std::int64_t day_ms = 24 * 3600 * 1000;
    const std::int64_t left_ms = std::clamp<std::int64_t>(principal_->expires_at * 1000 - now_millis(), 0, day_ms);
    // A session or API token has no expiry of its own to wait for (0): the
    // recheck watches it instead.
    if (principal_->expires_at != 0) arm_deadline(std::chrono::milliseconds(left_ms));
    else deadline_->cancel();
    arm_recheck();
}

void AdminHandler::become_anonymous() {
    presence_.remove(presence_id_);
    if (recheck_timer_) recheck_timer_->cancel();
    session_.set_inbound_limits(inbound_.anonymous_message_bytes, inbound_.anonymous_per_s, inbound_.anonymous_burst);
    arm_deadline(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(auth_timeout_s_)));
}

void AdminHandler::arm_deadline(std::chrono::steady_clock::duration after) {
    deadline_->expires_after(after);
    std::weak_ptr<Connection> weak = session_.weak();
    deadline_->async_wait([weak, this](error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->closing()) return;
        on_deadline();
    });
}

void AdminHandler::on_deadline() {
    if (!principal_) {
        reply_error(ErrorCode::unauthorized, "no auth message in time", nullptr);
        session_.close(close_code::auth_timeout, "authentication timeout", false);
        return;
    }
    if (principal_->expires_at == 0) return;  // watched by the recheck instead
    if (principal_->expires_at > now_seconds()) {  // the clock moved: not yet
        become_authenticated();
        return;
    }
    // The token expired: say so at once, and close unless a fresh one comes.
    principal_.reset();
    reply_error(ErrorCode::token_expired, "the token has expired; send a new one with auth", nullptr);
    become_anonymous();
}

void AdminHandler::reply_error(ErrorCode code, const std::string& message, const nlohmann::json& request_id) {
    session_.send_text(encode_error(code, message, request_id));
}

void AdminHandler::on_message(std::string_view text) {
    nlohmann::json request_id;
    bool is_auth = false;
    try {
        auto msg = parse_json_object(text);
        request_id = request_id_of(msg);
        auto type = msg.find("type");
        is_auth = type != msg.end() && type->is_string() && *type == "auth";
        if (!principal_ && !is_auth)
            throw Error{ErrorCode::unauthorized, "authenticate first: {\"type\":\"auth\",\"token\":...}"};
        auto parsed = parse_admin_message(msg, principal_ ? principal_->name : std::string(), limits_);
        if (auto* auth = std::get_if<AuthMessage>(&parsed)) {
            authenticate(auth->token, request_id);
            return;
        }
        if (principal_->expires_at != 0 && principal_->expires_at <= now_seconds()) {  // before the deadline fired
            principal_.reset();
            become_anonymous();
            throw Error{ErrorCode::token_expired, "the token has expired; send a new one with auth"};
        }
        if (auto* where = std::get_if<EditingMessage>(&parsed)) {
            editing(*where);
            return;
        }
        execute(std::move(std::get<Command>(parsed)), request_id);
    } catch (const Error& e) {
        reply_error(e.code, e.message, request_id);
        if (is_auth && ++failed_auths_ >= max_failed_auths)
            session_.close(close_code::auth_failed, "authentication failed", false);
    }
}

std::string AdminHandler::rate_limited_reply(std::string_view text) {
    // The command was not applied: its request_id (read with the bounded
    // parser; a flood is closed after a few of these) tells the client which
    // one to send again (the error is retryable).
    nlohmann::json request_id;
    try {
        request_id = request_id_of(parse_json_object(text));
    } catch (const Error&) {
    }
    return encode_error(ErrorCode::rate_limited, "too many messages; slow down and send it again", request_id);
}

void AdminHandler::authenticate(const std::string& token, const nlohmann::json& request_id) {
    if (token.rfind(accounts::api_token_prefix, 0) == 0) {
        // Anonymous until the store has answered: a failed auth does not
        // keep an earlier credential's rights.
        if (principal_) become_anonymous();
        principal_.reset();
        resolve(false, token, request_id);
        return;
    }
    try {
        principal_ = verify_token(token, secret_, now_seconds()).principal();
        become_authenticated();
        failed_auths_ = 0;
        send_authenticated(request_id);
    } catch (const Error&) {
        // A failed auth leaves the connection anonymous (a second auth that
        // fails does not keep the first one's rights).
        if (principal_) become_anonymous();
        principal_.reset();
        throw;  // answered and counted by on_message
    }
}

void AdminHandler::editing(const EditingMessage& where) {
    authorize(*principal_, Action::read_history, where.story);  // on a story: in scope
    std::weak_ptr<Connection> weak = session_.weak();
    ShardContext& shard = session_.shard_context();
    presence_.set(presence_id_, where.story, {principal_->user_id, principal_->name, where.entry_id},
                  [weak, &shard](std::string frame) {
                      Connection::post_to(weak, shard, [frame = std::move(frame)](Connection& c) mutable {
                          c.send_text(std::move(frame));
                      });
                  });
    if (where.story != desk_story_) send_desk(where.story);
}

void AdminHandler::send_desk(const std::string& story) {
    desk_story_ = story;
    std::weak_ptr<Connection> weak = session_.weak();
    ShardContext& shard = session_.shard_context();
    Hub& hub = hub_;
    hub_.submit_job([](StoreTxn&, Millis) { return CommandResult{}; },
                    [weak, &shard, &hub, story](const CommandResult& r) {
                        std::string frame;
                        try {
                            if (!r.ok()) throw StoreFailure(r.message);
                            nlohmann::json desk = desk_list_json(hub.store(), story);
                            desk["type"] = "desk";
                            frame = desk.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                        } catch (const StoreFailure& e) {
                            frame = encode_error(ErrorCode::store_unavailable, "the desk could not be read; retry later");
                        }
                        Connection::post_to(weak, shard, [frame = std::move(frame)](Connection& c) mutable {
                            c.send_text(std::move(frame));
                        });
                    });
}

void AdminHandler::execute(Command command, const nlohmann::json& request_id) {
    authorize(*principal_, command);
    stamp_actor(command, *principal_);
    // No early "unknown story" check here: commands apply in the order sent,
    // so a post_entry right behind its create_story must reach the store
    // after it (the rules there answer unknown_story when it is due).

    std::weak_ptr<Connection> weak = session_.weak();
    ShardContext& shard = session_.shard_context();
    auto audit = accounts_.command_auditor(*principal_, command, {initial_.address, {}});
    hub_.submit(std::move(command), [weak, &shard, request_id, audit](const CommandResult& r) {
        audit(r);
        std::string reply = encode_result(request_id, r);
        Connection::post_to(weak, shard, [reply = std::move(reply)](Connection& s) mutable { s.send_text(std::move(reply)); });
    });
}

}  // namespace liveblog
