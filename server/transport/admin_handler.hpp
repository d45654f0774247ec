#pragma once
// The editor protocol on /admin/ws (docs/protocol.md, "Editors"): token auth
// (header at upgrade, or a first `auth` message), then commands, each
// answered by an ack or an error carrying its request_id. Acks are sent only
// after the store committed (the hub's storage thread calls back).

#include <memory>
#include <optional>
#include <string>

#include "core/hub.hpp"
#include "core/jwt.hpp"
#include "core/validation.hpp"
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

class AdminHandler : public MessageHandler {
public:
    // `principal`: already verified from the Authorization header, if it had one.
    AdminHandler(Connection& session, Hub& hub, std::string secret, std::optional<Principal> principal,
                 double auth_timeout_s, AdminInboundLimits limits);

    void on_open() override;
    void on_message(std::string_view text) override;
    void on_close() override;

private:
    void authenticate(const std::string& token, const nlohmann::json& request_id);
    // Authenticated: editor limits, and a deadline at the token's expiry.
    // Anonymous (at open, or after expiry): reader limits, and a deadline
    // auth_timeout_s away by which an `auth` must have come.
    void become_authenticated();
    void become_anonymous();
    void arm_deadline(std::chrono::steady_clock::duration after);
    void on_deadline();
    void execute(Command command, const nlohmann::json& request_id);
    void reply_error(ErrorCode code, const std::string& message, const nlohmann::json& request_id);

    Connection& session_;
    Hub& hub_;
    std::string secret_;
    std::optional<Principal> principal_;
    double auth_timeout_s_;
    int failed_auths_ = 0;
    std::unique_ptr<net::steady_timer> deadline_;
    AdminInboundLimits inbound_;
    ContentLimits limits_;
};

}  // namespace liveblog
