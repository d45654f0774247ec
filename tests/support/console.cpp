#include "support/console.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

#include "support/cli_run.hpp"
#include "support/server_process.hpp"

namespace liveblog::test {

std::string add_user(const std::string& data_dir, const std::string& email, const std::string& name,
                     const std::string& role, const std::string& password) {
    const auto r = run_server_cli({"user", "add", "--password-stdin", "--data-dir", data_dir, "--email", email, "--name",
                                   name, "--role", role},
                                  {}, password);
    if (r.status != 0) throw std::runtime_error("user add failed: " + r.output);
    return r.output;
}

HttpResult sign_in_request(unsigned short port, const std::string& email, const std::string& password,
                           const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    return http_request(port, "POST", "/api/session", json{{"email", email}, {"password", password}}.dump(), headers);
}

ConsoleSession sign_in(unsigned short port, const std::string& email, const std::string& password) {
    auto r = sign_in_request(port, email, password);
    if (r.status != 200) throw std::runtime_error("sign-in refused: " + std::to_string(r.status) + " " + r.body);
    ConsoleSession s;
    s.port = port;
    std::string set_cookie = r.header("Set-Cookie");
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    auto body = json::parse(r.body);
    s.csrf = body.at("csrf_token");
    s.user = body.at("user");
    return s;
}

HttpResult ConsoleSession::request(const std::string& method, const std::string& target, const json& body) const {
    std::vector<std::pair<std::string, std::string>> headers{{"Cookie", cookie},
                                                             {"Origin", "http://127.0.0.1:" + std::to_string(port)}};
    if (method != "GET") headers.emplace_back("X-CSRF-Token", csrf);
    std::string text;
    if (!body.is_null()) {
        headers.emplace_back("Content-Type", "application/json");
        text = body.dump();
    }
    return http_request(port, method, target, text, headers);
}

std::vector<std::pair<std::string, std::string>> ConsoleSession::ws_headers() const {
    return {{"Cookie", cookie}, {"Origin", "http://127.0.0.1:" + std::to_string(port)}};
}

}  // namespace liveblog::test
