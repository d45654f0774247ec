#pragma once
// The editor protocol on /admin/ws (docs/protocol.md, "Editors"): a
// credential (a signed token or API token in the header at upgrade or in an
// `auth` message, or the console's session cookie), then commands, each
// answered by an ack or an error carrying its request_id. Acks are sent only
// after the store committed (the hub's storage thread calls back).
//
// A session or API token is read from the store (off this thread), and read
// again every credential_recheck_s while the connection is open: a revoked
// token, an ended session or a disabled account closes it (4001) within that
// time, and a change of role or scope applies to the next command.

#include <memory>
#include <optional>
#include <string>

#include "accounts/account_service.hpp"
#include "core/editor_presence.hpp"
#include "core/hub.hpp"
#include "core/jwt.hpp"
#include "core/validation.hpp"
#include "protocol/messages.hpp"
#include "transport/ws_session.hpp"

namespace liveblog {

// What an editor's connection may send: until it authenticates (and again
// once its token expires) no more than a reader may, so that an anonymous
// peer cannot use the editors' larger frames and rate.
struct AdminInboundLimits {
    std::size_t authenticated_message_bytes = 1 << 20;
    double authenticated_per_s = 200, authenticated_burst = 500;
    std::size_t anonymous_message_bytes = 16 << 10;
    double anonymous_per_s = 20, anonymous_burst = 40;
};

// What the upgrade request brought.
struct AdminCredential {
    std::optional<Principal> principal;  // a signed token from the header, verified
    std::string api_token;               // an API token from the header, to resolve
    std::string session_cookie;          // the console's cookie (Origin checked), to resolve
    std::string address;                 // the peer's, for the audit log
};

class AdminHandler : public MessageHandler {
public:
    AdminHandler(Connection& session, Hub& hub, accounts::AccountService& accounts, EditorPresence& presence,
                 std::string secret, AdminCredential credential, double auth_timeout_s, double recheck_s,
                 AdminInboundLimits limits, ContentLimits content_limits);

    void on_open() override;
    void on_message(std::string_view text) override;
    std::string rate_limited_reply(std::string_view text) override;
    void on_close() override;

private:
    void authenticate(const std::string& token, const nlohmann::json& request_id);
    // A session or API token resolved (or not) by the accounts service.
    void resolve(bool session, std::string secret, nlohmann::json request_id);
    void on_resolved(std::variant<Principal, Error> result, const nlohmann::json& request_id);
    void send_authenticated(const nlohmann::json& request_id);
    void arm_recheck();
    void recheck();
    // Authenticated: editor limits, and a deadline at the token's expiry.
    // Anonymous (at open, or after expiry): reader limits, and a deadline
    // auth_timeout_s away by which an `auth` must have come.
    void become_authenticated();
    void become_anonymous();
    void arm_deadline(std::chrono::steady_clock::duration after);
    void on_deadline();
    void execute(Command command, const nlohmann::json& request_id);
    void editing(const EditingMessage& where);
    // Sends the story's desk ({"type":"desk",...}) once this connection is on
    // its channel: read on the storage thread after the writes queued before
    // it, so the desk_item / desk_removed that follow are all newer.
    void send_desk(const std::string& story);
    void reply_error(ErrorCode code, const std::string& message, const nlohmann::json& request_id);

    Connection& session_;
    Hub& hub_;
    accounts::AccountService& accounts_;
    EditorPresence& presence_;
    const std::uint64_t presence_id_;  // this connection in presence_
    std::string secret_;
    AdminCredential initial_;
    double recheck_s_;
    std::unique_ptr<net::steady_timer> recheck_timer_;
    std::optional<Principal> principal_;
    double auth_timeout_s_;
    int failed_auths_ = 0;
    std::unique_ptr<net::steady_timer> deadline_;
    AdminInboundLimits inbound_;
    ContentLimits limits_;
    std::string desk_story_;  // the story whose desk this connection was sent
};

}  // namespace liveblog
