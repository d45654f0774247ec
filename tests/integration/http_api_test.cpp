// The REST API against the real server: every endpoint's success and error
// statuses, pagination, caching, CORS, and HTTP writes reaching WebSocket readers.
#include <catch2/catch.hpp>

#include <set>

#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {
using Headers = std::vector<std::pair<std::string, std::string>>;

Headers auth_json(const std::string& token = make_token("cms", "admin")) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

json body_of(const HttpResult& r) { return json::parse(r.body); }
std::string code_of(const HttpResult& r) { return body_of(r)["error"]["code"]; }

json post_entry(unsigned short port, const std::string& story, const std::string& text, const std::string& key = {}) {
    auto h = auth_json();
    if (!key.empty()) h.emplace_back("Idempotency-Key", key);
    json body{{"blocks", text_blocks(text)}};
    auto r = http_request(port, "POST", "/api/stories/" + story + "/entries", body.dump(), h);
    REQUIRE((r.status == 201 || r.status == 200));
    return body_of(r);
}
}  // namespace

TEST_CASE("REST writes: create - update - post - edit - pin - delete with the right statuses") {
    ServerProcess server;
    auto port = server.port();

    auto created = http_request(port, "POST", "/api/stories",
                                json{{"id", "par-http"}, {"title", "Par HTTP"}, {"lang", "fr"}}.dump(), auth_json());
    CHECK(created.status == 201);
    CHECK(created.header("Location") == "/api/stories/par-http");
    CHECK(body_of(created)["story"]["id"] == "par-http");
    CHECK(http_request(port, "POST", "/api/stories", json{{"id", "par-http"}, {"title", "x"}}.dump(), auth_json()).status == 409);

    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "par-http"}});
    reader.recv_type("subscribed");

    json first = post_entry(port, "par-http", "posté en HTTP", "cms-1");
    CHECK(first["seq"] == 1);
    CHECK(first["version"] == 1);
    json ev = reader.recv_type("event");
    CHECK(ev["op"] == "entry.created");
    CHECK(ev["entry"]["blocks"][0]["text"] == "posté en HTTP");  // exactly like an /admin/ws post

    SECTION("idempotent retry returns the first ack with 200") {
        auto h = auth_json();
        h.emplace_back("Idempotency-Key", "cms-1");
        auto retry = http_request(port, "POST", "/api/stories/par-http/entries",
                                  json{{"blocks", text_blocks("posté en HTTP")}}.dump(), h);
        CHECK(retry.status == 200);
        CHECK(body_of(retry)["duplicate"] == true);
        CHECK(body_of(retry)["entry_id"] == first["entry_id"]);
    }
    SECTION("edit with If-Match - conflicts with a stale one") {
        std::string path = "/api/stories/par-http/entries/" + first["entry_id"].get<std::string>();
        auto h = auth_json();
        h.emplace_back("If-Match", "\"1\"");
        auto ok = http_request(port, "PATCH", path, json{{"blocks", text_blocks("corrigé")}}.dump(), h);
        CHECK(ok.status == 200);
        CHECK(body_of(ok)["version"] == 2);
        auto stale = http_request(port, "PATCH", path, json{{"blocks", text_blocks("écrasé ?")}}.dump(), h);
        CHECK(stale.status == 409);
        CHECK(code_of(stale) == "version_conflict");
        CHECK(body_of(stale)["error"]["current_version"] == 2);
        CHECK(reader.recv_type("event")["entry"]["blocks"][0]["text"] == "corrigé");

        auto pin = http_request(port, "POST", path + "/pin", "", auth_json());
        CHECK(pin.status == 200);
        CHECK(reader.recv_type("event")["entry"]["pinned"] == true);
        CHECK(http_request(port, "DELETE", path + "/pin", "", auth_json()).status == 200);
        CHECK(reader.recv_type("event")["entry"]["pinned"] == false);

        auto del = http_request(port, "DELETE", path, "", auth_json());
        CHECK(del.status == 200);
        CHECK(reader.recv_type("event")["op"] == "entry.deleted");
        CHECK(http_request(port, "DELETE", path, "", auth_json()).status == 404);
    }
    SECTION("story update and status") {
        auto r = http_request(port, "PATCH", "/api/stories/par-http", json{{"status", "ended"}}.dump(), auth_json());
        CHECK(r.status == 200);
        CHECK(body_of(r)["story"]["status"] == "ended");
        CHECK(reader.recv_type("event")["story_state"]["status"] == "ended");
        auto late = http_request(port, "POST", "/api/stories/par-http/entries",
                                 json{{"blocks", text_blocks("x")}}.dump(), auth_json());
        CHECK(late.status == 409);
        CHECK(code_of(late) == "story_ended");
    }
}

TEST_CASE("REST write errors: 400 401 403 404 413 415") {
    ServerProcess server;
    auto port = server.port();
    http_request(port, "POST", "/api/stories", json{{"id", "erreurs"}, {"title", "E"}}.dump(), auth_json());
    std::string entries = "/api/stories/erreurs/entries";
    json good{{"blocks", text_blocks("ok")}};

    auto no_token = http_request(port, "POST", entries, good.dump(), {{"Content-Type", "application/json"}});
    CHECK(no_token.status == 401);
    CHECK(code_of(no_token) == "unauthorized");
    auto expired = http_request(port, "POST", entries, good.dump(), auth_json(make_token("old", "editor", {}, -5)));
    CHECK(expired.status == 401);
    CHECK(code_of(expired) == "token_expired");
    auto scoped = http_request(port, "POST", entries, good.dump(), auth_json(make_token("p", "editor", {"autre"})));
    CHECK(scoped.status == 403);
    CHECK(code_of(scoped) == "forbidden");
    auto wrong_type = http_request(port, "POST", entries, good.dump(),
                                   {{"Authorization", "Bearer " + make_token("cms", "admin")}, {"Content-Type", "text/plain"}});
    CHECK(wrong_type.status == 415);
    CHECK(code_of(wrong_type) == "unsupported_media_type");
    auto malformed = http_request(port, "POST", entries, "{\"blocks\":", auth_json());
    CHECK(malformed.status == 400);
    CHECK(code_of(malformed) == "invalid_json");
    auto bad_block = http_request(port, "POST", entries,
                                  json{{"blocks", {{{"type", "embed"}, {"url", "javascript:alert(1)"}}}}}.dump(), auth_json());
    CHECK(bad_block.status == 400);
    CHECK(code_of(bad_block) == "invalid_content");
    auto unknown = http_request(port, "POST", "/api/stories/nulle-part/entries", good.dump(), auth_json());
    CHECK(unknown.status == 404);
    CHECK(code_of(unknown) == "unknown_story");
    // A body announced over 1 MiB is refused from its head, before it is read.
    auto huge = raw_http_exchange(port, "POST " + entries + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                        "Authorization: Bearer " + make_token("cms", "admin") +
                                        "\r\nContent-Length: 2000000\r\n\r\n");
    CHECK(huge.status == 413);
    CHECK(code_of(huge) == "too_large");
    CHECK(http_request(port, "GET", "/api/nope").status == 404);
    // A path that exists, with a method it does not take: 405 and what it takes.
    auto put = http_request(port, "PUT", "/api/stories/erreurs");
    CHECK(put.status == 405);
    CHECK(code_of(put) == "method_not_allowed");
    CHECK(put.header("Allow") == "GET, HEAD, PATCH");
    CHECK(http_request(port, "GET", "/api/stories/Pas%20Valide").status == 400);
    CHECK(http_request(port, "GET", "/api/stories/erreurs/entries?limit=abc").status == 400);
    // Nothing was stored by any of them.
    CHECK(body_of(http_request(port, "GET", "/api/stories/erreurs"))["story"]["seq"] == 0);
}

TEST_CASE("pagination walks the whole story with no entry twice") {
    ServerProcess server;
    auto port = server.port();
    http_request(port, "POST", "/api/stories", json{{"id", "pages"}, {"title", "P"}}.dump(), auth_json());
    std::set<std::string> posted;
    for (int i = 0; i < 47; ++i) posted.insert(post_entry(port, "pages", "n" + std::to_string(i))["entry_id"]);
    // Delete one: pages must skip it.
    std::string gone = *posted.begin();
    http_request(port, "DELETE", "/api/stories/pages/entries/" + gone, "", auth_json());
    posted.erase(gone);

    std::set<std::string> seen;
    std::string target = "/api/stories/pages/entries?limit=10";
    std::uint64_t previous = UINT64_MAX;
    int pages = 0;
    for (;;) {
        auto r = http_request(port, "GET", target);
        REQUIRE(r.status == 200);
        json page = body_of(r);
        for (auto& e : page["entries"]) {
            CHECK(seen.insert(e["id"]).second);  // never twice
            CHECK(e["created_seq"].get<std::uint64_t>() < previous);  // newest first
            previous = e["created_seq"];
        }
        ++pages;
        if (!page["has_more"].get<bool>()) {
            CHECK(page["next_before"].is_null());
            break;
        }
        target = "/api/stories/pages/entries?limit=10&before=" + std::to_string(page["next_before"].get<std::uint64_t>());
    }
    CHECK(pages == 5);
    CHECK(seen == posted);
    // The limit is capped.
    auto capped = body_of(http_request(port, "GET", "/api/stories/pages/entries?limit=100000"));
    CHECK(capped["entries"].size() == 46);
}

TEST_CASE("reads carry ETags - If-None-Match gets 304 - CORS for configured origins") {
    ServerProcess server({"--cors-origins", "https://journal.example", "--cache-max-age-s", "5"});
    auto port = server.port();
    http_request(port, "POST", "/api/stories", json{{"id", "cache"}, {"title", "C"}}.dump(), auth_json());
    post_entry(port, "cache", "un");
    for (std::string target : {"/api/stories/cache", "/api/stories/cache/entries?limit=5", "/api/stories", "/stories/cache", "/"}) {
        INFO(target);
        auto r = http_request(port, "GET", target);
        REQUIRE(r.status == 200);
        std::string etag = r.header("ETag");
        REQUIRE_FALSE(etag.empty());
        CHECK(r.header("Cache-Control") == "public, max-age=5");
        auto again = http_request(port, "GET", target, "", {{"If-None-Match", etag}});
        CHECK(again.status == 304);
        CHECK(again.body.empty());
        post_entry(port, "cache", "changement");  // the story moves on: the tag no longer matches
        CHECK(http_request(port, "GET", target, "", {{"If-None-Match", etag}}).status == 200);
    }
    auto cors = http_request(port, "GET", "/api/stories/cache", "", {{"Origin", "https://journal.example"}});
    CHECK(cors.header("Access-Control-Allow-Origin") == "https://journal.example");
    auto other = http_request(port, "GET", "/api/stories/cache", "", {{"Origin", "https://evil.example"}});
    CHECK(other.header("Access-Control-Allow-Origin").empty());
    auto preflight = http_request(port, "OPTIONS", "/api/stories/cache", "",
                                  {{"Origin", "https://journal.example"}, {"Access-Control-Request-Method", "GET"}});
    CHECK(preflight.status == 204);
    CHECK(preflight.header("Access-Control-Allow-Methods").find("GET") != std::string::npos);
}

TEST_CASE("events endpoint returns what a resume would") {
    ServerProcess server;
    auto port = server.port();
    http_request(port, "POST", "/api/stories", json{{"id", "journal"}, {"title", "J"}}.dump(), auth_json());
    for (int i = 1; i <= 6; ++i) post_entry(port, "journal", "e" + std::to_string(i));
    json r = body_of(http_request(port, "GET", "/api/stories/journal/events?since=3"));
    CHECK(r["seq"] == 6);
    CHECK(r["mode"] == "replay_memory");
    REQUIRE(r["messages"].size() == 3);
    for (int i = 0; i < 3; ++i) CHECK(r["messages"][i]["seq"] == 4 + i);
    json none = body_of(http_request(port, "GET", "/api/stories/journal/events?since=6"));
    CHECK(none["mode"] == "up_to_date");
    CHECK(none["messages"].empty());
    CHECK(http_request(port, "GET", "/api/stories/inconnue/events?since=1").status == 404);
}

TEST_CASE("health - readiness and 404s") {
    ServerProcess server;
    auto port = server.port();
    CHECK(http_request(port, "GET", "/healthz").status == 200);
    auto ready = http_request(port, "GET", "/readyz");
    CHECK(ready.status == 200);
    CHECK(body_of(ready)["status"] == "ready");
    auto head = http_request(port, "HEAD", "/healthz");
    CHECK(head.status == 200);
    CHECK(http_request(port, "GET", "/nothing-here").status == 404);
    CHECK(http_request(port, "GET", "/stories/inconnue").status == 404);
}
