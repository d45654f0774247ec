// Accounts, sign-in and API tokens, black-box: the real server, its real
// SQLite file, `liveblog-server user add`, HTTP and /admin/ws.

#include <catch2/catch.hpp>

#include <thread>

#include "support/console.hpp"
#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {

const std::string admin_email = "ada@redaction.example";
const std::string admin_password = "correct horse battery";

json body_of(const HttpResult& r) { return r.body.empty() ? json() : json::parse(r.body); }
std::string code_of(const HttpResult& r) { return body_of(r)["error"].value("code", ""); }

json entry_body(const std::string& text) { return {{"blocks", text_blocks(text)}}; }

// A server with an admin account and a story.
struct Newsroom {
    explicit Newsroom(std::vector<std::string> args = {}) : server(ServerProcess::Options{std::move(args), {}, false, 0}) {
        add_user(server.data_dir(), admin_email, "Ada Admin", "admin", admin_password);
        Editor(server.port()).create_story("soiree");
    }
    ConsoleSession admin() { return sign_in(server.port(), admin_email, admin_password); }
    // Creates an account through the API; returns its id.
    std::string create(ConsoleSession& admin, const std::string& email, const std::string& role,
                       const std::string& password = "mot de passe sûr") {
        auto r = admin.request("POST", "/api/users", {{"email", email}, {"name", email}, {"role", role}, {"password", password}});
        REQUIRE(r.status == 201);
        return body_of(r)["user"]["id"];
    }
    ServerProcess server;
};

}  // namespace

TEST_CASE("accounts: user add, sign-in, the session cookie's attributes, who am I") {
    Newsroom n;
    auto r = sign_in_request(n.server.port(), admin_email, admin_password);
    REQUIRE(r.status == 200);
    std::string cookie = r.header("Set-Cookie");
    CHECK(cookie.rfind("liveblog_session=", 0) == 0);
    CHECK(cookie.find("; HttpOnly") != std::string::npos);
    CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
    CHECK(cookie.find("; Path=/") != std::string::npos);
    CHECK(cookie.find("; Max-Age=604800") != std::string::npos);
    CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP
    // The id is 256 random bits (43 base64url characters).
    CHECK(cookie.substr(17, cookie.find(';') - 17).size() == 43);
    CHECK(body_of(r)["user"]["role"] == "admin");
    CHECK_FALSE(body_of(r)["user"].contains("password_hash"));

    // Behind a TLS proxy (or over TLS) the cookie is Secure.
    auto proxied = sign_in_request(n.server.port(), admin_email, admin_password, {{"X-Forwarded-Proto", "https"}});
    CHECK(proxied.header("Set-Cookie").find("; Secure") != std::string::npos);

    auto s = n.admin();
    auto me = s.request("GET", "/api/session");
    REQUIRE(me.status == 200);
    CHECK(body_of(me)["principal"]["name"] == "Ada Admin");
    CHECK(body_of(me)["principal"]["credential"] == "session");
    CHECK(body_of(me)["csrf_token"] == s.csrf);

    // The store keeps the session's hash, never the cookie's id, and no plain password.
    std::string id = s.cookie.substr(s.cookie.find('=') + 1);
    CHECK(n.server.log().find(id) == std::string::npos);
    CHECK(n.server.log().find(admin_password) == std::string::npos);

    // Email is matched without regard to case and surrounding spaces; a wrong password is one answer for all.
    CHECK(sign_in_request(n.server.port(), "  ADA@Redaction.Example ", admin_password).status == 200);
    auto wrong = sign_in_request(n.server.port(), admin_email, "not the password");
    CHECK(wrong.status == 401);
    CHECK(code_of(wrong) == "bad_credentials");
    auto nobody = sign_in_request(n.server.port(), "nobody@example.org", "not the password");
    CHECK(code_of(nobody) == "bad_credentials");
    CHECK(body_of(nobody)["error"]["message"] == body_of(wrong)["error"]["message"]);
    // Oversized credentials are refused without a trace in the throttle or the log.
    CHECK(code_of(sign_in_request(n.server.port(), std::string(100000, 'a') + "@x.org", "x")) == "bad_credentials");
    CHECK(code_of(sign_in_request(n.server.port(), admin_email, std::string(2000, 'p'))) == "bad_credentials");
    CHECK(n.server.log().find(std::string(1000, 'a')) == std::string::npos);
    // Malformed sign-ins get a code, not a crash.
    CHECK(http_request(n.server.port(), "POST", "/api/session", "{\"email\":1}", {{"Content-Type", "application/json"}}).status == 400);
    CHECK(http_request(n.server.port(), "POST", "/api/session", "[", {{"Content-Type", "application/json"}}).status == 400);
    CHECK(http_request(n.server.port(), "POST", "/api/session", "x", {{"Content-Type", "text/plain"}}).status == 415);
    CHECK(http_request(n.server.port(), "GET", "/api/session").status == 401);
    CHECK(http_request(n.server.port(), "GET", "/api/session", {}, {{"Cookie", "liveblog_session=forged"}}).status == 401);
}

TEST_CASE("accounts: CSRF and Origin on every cookie-authenticated write") {
    Newsroom n;
    auto s = n.admin();
    const std::string origin = "http://127.0.0.1:" + std::to_string(n.server.port());
    const std::string entries = "/api/stories/soiree/entries";
    auto post = [&](std::vector<std::pair<std::string, std::string>> headers) {
        headers.emplace_back("Cookie", s.cookie);
        headers.emplace_back("Content-Type", "application/json");
        return http_request(n.server.port(), "POST", entries, entry_body("csrf").dump(), headers);
    };
    CHECK(code_of(post({})) == "csrf_failed");
    CHECK(post({}).status == 403);
    CHECK(code_of(post({{"X-CSRF-Token", "wrong"}})) == "csrf_failed");
    CHECK(code_of(post({{"X-CSRF-Token", s.csrf}, {"Origin", "https://evil.example"}})) == "origin_refused");
    CHECK(post({{"X-CSRF-Token", s.csrf}, {"Origin", origin}}).status == 201);
    CHECK(post({{"X-CSRF-Token", s.csrf}}).status == 201);  // no Origin: not a cross-site browser request
    // Reads need no token.
    CHECK(http_request(n.server.port(), "GET", "/api/session", {}, {{"Cookie", s.cookie}}).status == 200);
    // Signing in from another site's page is refused (login CSRF).
    auto cross = sign_in_request(n.server.port(), admin_email, admin_password, {{"Origin", "https://evil.example"}});
    CHECK(code_of(cross) == "origin_refused");
    // Nothing refused was written: two posts reached the story.
    auto page = body_of(http_request(n.server.port(), "GET", entries));
    CHECK(page["entries"].size() == 2);
}

TEST_CASE("accounts: sign-in is throttled per account and per address, with Retry-After") {
    SECTION("per account: after 5 failures even the right password waits") {
        Newsroom n;
        for (int i = 0; i < 5; ++i) CHECK(sign_in_request(n.server.port(), admin_email, "guess number " + std::to_string(i)).status == 401);
        auto r = sign_in_request(n.server.port(), admin_email, admin_password);
        CHECK(r.status == 429);
        CHECK(code_of(r) == "rate_limited");
        CHECK(std::stol(r.header("Retry-After")) > 0);
        CHECK(body_of(r)["error"]["retry_after_s"].get<long>() > 0);
        // Another account is not locked by it.
        add_user(n.server.data_dir(), "bea@redaction.example", "Bea", "editor", "another good password");
        CHECK(sign_in_request(n.server.port(), "bea@redaction.example", "another good password").status == 200);
    }
    SECTION("per address: every attempt counts") {
        Newsroom n({"--login-attempts-per-address", "3"});
        for (int i = 0; i < 3; ++i) sign_in_request(n.server.port(), "x" + std::to_string(i) + "@example.org", "whatever-123");
        auto r = sign_in_request(n.server.port(), admin_email, admin_password);
        CHECK(r.status == 429);
        CHECK(body_of(r)["error"]["message"].get<std::string>().find("address") != std::string::npos);
    }
}

TEST_CASE("accounts: sign-out, sign-out everywhere, disabled accounts and expiry end sessions") {
    Newsroom n;
    auto one = n.admin(), two = n.admin();
    auto admin = n.admin();
    CHECK(one.request("DELETE", "/api/session").status == 204);
    CHECK(one.request("GET", "/api/session").status == 401);
    CHECK(two.request("GET", "/api/session").status == 200);
    CHECK(two.request("POST", "/api/session/sign-out-everywhere").status == 204);
    CHECK(two.request("GET", "/api/session").status == 401);
    CHECK(admin.request("GET", "/api/session").status == 401);

    auto fresh = n.admin();
    std::string bea = n.create(fresh, "bea@redaction.example", "editor");
    auto b = sign_in(n.server.port(), "bea@redaction.example", "mot de passe sûr");
    CHECK(b.request("POST", "/api/stories/soiree/entries", entry_body("de Béa")).status == 201);
    CHECK(fresh.request("PATCH", "/api/users/" + bea, {{"disabled", true}}).status == 200);
    CHECK(b.request("GET", "/api/session").status == 401);
    CHECK(code_of(sign_in_request(n.server.port(), "bea@redaction.example", "mot de passe sûr")) == "account_disabled");
    // An admin cannot lock themselves out.
    std::string ada = fresh.user["id"];
    CHECK(code_of(fresh.request("PATCH", "/api/users/" + ada, {{"disabled", true}})) == "forbidden");
    CHECK(code_of(fresh.request("PATCH", "/api/users/" + ada, {{"role", "editor"}})) == "forbidden");
}

TEST_CASE("accounts: idle and absolute session expiry") {
    SECTION("absolute") {
        Newsroom n({"--session-max-age-s", "1"});
        auto s = n.admin();
        CHECK(s.request("GET", "/api/session").status == 200);
        std::this_thread::sleep_for(1200ms);
        CHECK(s.request("GET", "/api/session").status == 401);
    }
    SECTION("idle") {
        Newsroom n({"--session-idle-timeout-s", "1"});
        auto s = n.admin();
        std::this_thread::sleep_for(1200ms);
        CHECK(s.request("GET", "/api/session").status == 401);
    }
}

TEST_CASE("accounts: roles over REST - a contributor cannot publish, an editor cannot create stories or manage") {
    Newsroom n;
    auto admin = n.admin();
    n.create(admin, "cam@redaction.example", "contributor");
    n.create(admin, "eve@redaction.example", "editor");
    auto cam = sign_in(n.server.port(), "cam@redaction.example", "mot de passe sûr");
    auto eve = sign_in(n.server.port(), "eve@redaction.example", "mot de passe sûr");
    CHECK(code_of(cam.request("POST", "/api/stories/soiree/entries", entry_body("non"))) == "forbidden");
    CHECK(eve.request("POST", "/api/stories/soiree/entries", entry_body("oui")).status == 201);
    CHECK(code_of(eve.request("POST", "/api/stories", {{"id", "autre"}, {"title", "T"}})) == "forbidden");
    CHECK(admin.request("POST", "/api/stories", {{"id", "autre"}, {"title", "T"}}).status == 201);
    for (auto* who : {&cam, &eve}) {
        CHECK(who->request("GET", "/api/users").status == 403);
        CHECK(who->request("POST", "/api/tokens", {{"name", "x"}}).status == 403);
        CHECK(who->request("GET", "/api/audit").status == 403);
    }
    // The entry's author is the account's display name.
    auto page = body_of(http_request(n.server.port(), "GET", "/api/stories/soiree/entries"));
    CHECK(page["entries"][0]["author"]["name"] == "eve@redaction.example");
    // A role change applies at once, to sessions already open.
    std::string cam_id;
    const json users = body_of(admin.request("GET", "/api/users"));
    for (auto& u : users["users"])
        if (u["email"] == "cam@redaction.example") cam_id = u["id"];
    auto changed = admin.request("PATCH", "/api/users/" + cam_id, {{"role", "editor"}});
    INFO(changed.body);
    CHECK(changed.status == 200);
    auto promoted = cam.request("POST", "/api/stories/soiree/entries", entry_body("promue"));
    INFO(promoted.body);
    CHECK(promoted.status == 201);
}

TEST_CASE("accounts: API tokens - created once, used over REST and /admin/ws, revoked within seconds") {
    Newsroom n({"--credential-recheck-s", "0.3"});
    auto admin = n.admin();
    auto made = admin.request("POST", "/api/tokens", {{"name", "CMS Lyon"}, {"role", "editor"}, {"stories", {"soiree"}}});
    REQUIRE(made.status == 201);
    std::string secret = body_of(made)["secret"];
    std::string id = body_of(made)["token"]["id"];
    CHECK(secret.rfind("lbt_" + id + "_", 0) == 0);
    // The list never shows the secret again.
    auto list = admin.request("GET", "/api/tokens");
    CHECK(list.body.find(secret.substr(secret.rfind('_') + 1)) == std::string::npos);

    std::vector<std::pair<std::string, std::string>> bearer{{"Authorization", "Bearer " + secret},
                                                            {"Content-Type", "application/json"}};
    auto posted = http_request(n.server.port(), "POST", "/api/stories/soiree/entries", entry_body("du CMS").dump(), bearer);
    CHECK(posted.status == 201);
    // Its scope holds.
    CHECK(admin.request("POST", "/api/stories", {{"id", "hors"}, {"title", "T"}}).status == 201);
    CHECK(code_of(http_request(n.server.port(), "POST", "/api/stories/hors/entries", entry_body("x").dump(), bearer)) == "forbidden");

    // An open editor connection with the token, in the header and by `auth`.
    WsClient header(n.server.port(), {"/admin/ws", secret});
    CHECK(header.recv_type("authenticated")["credential"] == "api_token");
    WsClient by_message(n.server.port(), {"/admin/ws"});
    by_message.send({{"type", "auth"}, {"token", secret}, {"request_id", 7}});
    auto auth = by_message.recv_type("authenticated");
    CHECK(auth["request_id"] == 7);
    CHECK(auth["sub"] == "CMS Lyon");

    CHECK(admin.request("DELETE", "/api/tokens/" + id).status == 200);
    CHECK(code_of(http_request(n.server.port(), "POST", "/api/stories/soiree/entries", entry_body("x").dump(), bearer)) ==
          "unauthorized");
    // Both connections end within the re-check period (0.3 s here).
    CHECK(header.wait_closed(3s) == 4001);
    CHECK(by_message.wait_closed(3s) == 4001);
    // Bad tokens of the API token's shape are refused like any other.
    WsClient forged(n.server.port(), {"/admin/ws"});
    forged.send({{"type", "auth"}, {"token", "lbt_t_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}});
    CHECK(forged.recv_type("error")["code"] == "unauthorized");
    CHECK(code_of(admin.request("DELETE", "/api/tokens/t_nope")) == "unknown_token");
}

TEST_CASE("accounts: /admin/ws takes the session cookie from this server's pages only") {
    Newsroom n({"--auth-timeout-s", "1"});
    auto s = n.admin();
    WsClient console(n.server.port(), {"/admin/ws", {}, s.ws_headers()});
    auto auth = console.recv_type("authenticated");
    CHECK(auth["credential"] == "session");
    CHECK(auth["role"] == "admin");
    console.send({{"type", "post_entry"}, {"request_id", 1}, {"story", "soiree"}, {"blocks", text_blocks("par la console")}});
    CHECK(console.recv_until([](const json& m) { return m.value("request_id", json()) == 1; })["type"] == "ack");

    // Another site's page: the cookie is ignored, the connection stays anonymous and times out.
    WsClient cross(n.server.port(), {"/admin/ws", {}, {{"Cookie", s.cookie}, {"Origin", "https://evil.example"}}});
    CHECK(cross.wait_closed(3s) == 4002);
    // Signing out ends the open connection within the re-check period.
    CHECK(s.request("DELETE", "/api/session").status == 204);
    CHECK(console.wait_closed(10s) == 4001);
}

TEST_CASE("accounts: the audit log has sign-ins, failures, accounts, tokens and publications") {
    Newsroom n;
    sign_in_request(n.server.port(), admin_email, "wrong password");
    auto admin = n.admin();
    n.create(admin, "cam@redaction.example", "contributor");
    auto t = body_of(admin.request("POST", "/api/tokens", {{"name", "CMS"}}));
    admin.request("DELETE", "/api/tokens/" + t["token"]["id"].get<std::string>());
    admin.request("POST", "/api/stories/soiree/entries", entry_body("audité"));
    std::this_thread::sleep_for(200ms);  // the audit records of the last writes commit after their answers
    auto log = body_of(admin.request("GET", "/api/audit?limit=50"));
    std::vector<std::string> actions;
    for (auto& e : log["events"]) actions.push_back(e["action"]);
    for (auto want : {"sign_in_failed", "sign_in", "user.created", "token.created", "token.revoked", "entry.published"}) {
        INFO(want);
        CHECK(std::find(actions.begin(), actions.end(), want) != actions.end());
    }
    CHECK(log["events"][0]["at"] >= log["events"][1]["at"]);  // newest first
    // And as JSON lines on stderr.
    CHECK(n.server.log().find("{\"action\":\"token.revoked\"") != std::string::npos);
    // Paging.
    auto first = body_of(admin.request("GET", "/api/audit?limit=2"));
    REQUIRE(first["next_before"].is_string());
    auto next = body_of(admin.request("GET", "/api/audit?limit=2&before=" + first["next_before"].get<std::string>()));
    CHECK(next["events"][0]["id"] != first["events"][1]["id"]);
}
