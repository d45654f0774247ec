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

class AdminHandler : public MessageHandler {
public:
    // `claims`: already verified from the Authorization header, if it had one.
    AdminHandler(Connection& session, Hub& hub, std::string secret, std::optional<Claims> claims,
                 double auth_timeout_s);

    void on_open() override;
    void on_message(std::string_view text) override;
    void on_close() override;

private:
    void authenticate(const std::string& token, const nlohmann::json& request_id);
    void execute(Command command, const nlohmann::json& request_id);
    void reply_error(ErrorCode code, const std::string& message, const nlohmann::json& request_id);

    Connection& session_;
    Hub& hub_;
    std::string secret_;
    std::optional<Claims> claims_;
    double auth_timeout_s_;
    int failed_auths_ = 0;
    std::unique_ptr<net::steady_timer> auth_timer_;
    ContentLimits limits_;
};

}  // namespace liveblog
