#pragma once
// A newsroom account for tests: created with `liveblog-server user add` on
// the server's data directory, then signed in over HTTP like the console.

#include <string>
#include <vector>

#include "support/ws_client.hpp"

namespace liveblog::test {

// Runs `liveblog-server user add` on data_dir with the given password; returns its output.
std::string add_user(const std::string& data_dir, const std::string& email, const std::string& name,
                     const std::string& role, const std::string& password);

// A signed-in console session: its cookie and CSRF token.
struct ConsoleSession {
    unsigned short port = 0;
    std::string cookie;  // "liveblog_session=…"
    std::string csrf;
    json user;

    // A request with the cookie (and X-CSRF-Token on anything but GET), from this server's Origin.
    HttpResult request(const std::string& method, const std::string& target, const json& body = nullptr) const;
    std::vector<std::pair<std::string, std::string>> ws_headers() const;  // Cookie and Origin for /admin/ws
};

// Signs in; throws with the answer when the server refuses.
ConsoleSession sign_in(unsigned short port, const std::string& email, const std::string& password);
HttpResult sign_in_request(unsigned short port, const std::string& email, const std::string& password,
                           const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace liveblog::test
