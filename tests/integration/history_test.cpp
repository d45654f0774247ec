// An entry's history and its public corrections: every change is a
// revision (who, when, what); an edit marked as a correction carries a note
// that readers see under the entry, live, on the page across reloads, and in
// the page's JSON-LD.
#include <catch2/catch.hpp>

#include <regex>

#include "support/console.hpp"
#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

TEST_CASE("corrections: pushed live, rendered on the page and in JSON-LD, refused when malformed") {
    ServerProcess server;
    auto port = server.port();
    Editor editor(port);
    editor.create_story("corrige");
    json posted = editor.post("corrige", "Le taux de participation est de 21 %.");
    std::string id = posted["entry_id"];

    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "corrige"}});
    reader.recv_type("snapshot");

    json ack = editor.command({{"type", "update_entry"}, {"story", "corrige"}, {"entry_id", id}, {"expected_version", 1},
                               {"blocks", text_blocks("Le taux de participation est de 12 %.")},
                               {"correction", "Le taux était de 12 %, pas 21 %."}});
    REQUIRE(ack["type"] == "ack");
    json ev = reader.recv_type("event");
    CHECK(ev["op"] == "entry.updated");
    REQUIRE(ev["entry"]["corrections"].size() == 1);
    CHECK(ev["entry"]["corrections"][0]["note"] == "Le taux était de 12 %, pas 21 %.");
    CHECK(ev["entry"]["corrections"][0]["at"].get<std::string>().back() == 'Z');

    // An edit that is not a correction: the entry keeps its one correction, and says so.
    editor.command({{"type", "update_entry"}, {"story", "corrige"}, {"entry_id", id}, {"expected_version", 2},
                    {"key_event", true}});
    CHECK(reader.recv_type("event")["entry"]["corrections"].size() == 1);
    // An entry never corrected has no "corrections" field at all (the wire as before).
    json other = editor.post("corrige", "Sans correction");
    CHECK_FALSE(reader.recv_type("event")["entry"].contains("corrections"));
    (void)other;

    auto page = http_request(port, "GET", "/stories/corrige");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("<p class=\"correction\">Corrigé à <time") != std::string::npos);
    CHECK(page.body.find("\xC2\xA0: Le taux était de 12 %, pas 21 %.</p>") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(page.body, m, std::regex(R"(<script type="application/ld\+json">([\s\S]*?)</script>)")));
    json ld = json::parse(m[1].str());
    json corrected;
    for (auto& u : ld["liveBlogUpdate"])
        if (u.contains("correction")) corrected = u;
    REQUIRE(corrected.is_object());
    CHECK(corrected["correction"][0]["@type"] == "CorrectionComment");
    CHECK(corrected["correction"][0]["text"] == "Le taux était de 12 %, pas 21 %.");

    // Kept across a restart (the page is rendered from the store).
    server.terminate();
    server.start();
    auto again = http_request(server.port(), "GET", "/stories/corrige");
    CHECK(again.body.find("Le taux était de 12 %, pas 21 %.") != std::string::npos);

    Editor after(server.port());
    auto bad = [&](json correction) {
        return after.command({{"type", "update_entry"}, {"story", "corrige"}, {"entry_id", id}, {"expected_version", 3},
                              {"key_event", false}, {"correction", correction}})["code"];
    };
    CHECK(bad(42) == "bad_request");
    CHECK(bad("") == "invalid_content");
    CHECK(bad("ligne\nsuivante") == "invalid_content");
    CHECK(bad(std::string(600, 'x')) == "invalid_content");
}

TEST_CASE("history: every change of an entry is a revision - who, when, what - readable in scope") {
    ServerProcess server;
    auto port = server.port();
    Editor admin(port);
    admin.create_story("histoire");
    admin.create_story("ailleurs");
    Editor marie(port, make_token("Marie Dupont", "editor", {"histoire"}));
    json posted = marie.post("histoire", "Version 1");
    std::string id = posted["entry_id"];
    marie.command({{"type", "update_entry"}, {"story", "histoire"}, {"entry_id", id}, {"expected_version", 1},
                   {"blocks", text_blocks("Version 2")}});
    marie.command({{"type", "update_entry"}, {"story", "histoire"}, {"entry_id", id}, {"expected_version", 2},
                   {"blocks", text_blocks("Version 3")}, {"correction", "Erreur de chiffre"}});
    admin.command({{"type", "pin_entry"}, {"story", "histoire"}, {"entry_id", id}});
    admin.command({{"type", "delete_entry"}, {"story", "histoire"}, {"entry_id", id}});

    const std::string path = "/api/stories/histoire/entries/" + id + "/revisions";
    auto auth = [](const std::string& token) {
        return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + token}};
    };
    auto r = http_request(port, "GET", path, {}, auth(make_token("Marie Dupont", "contributor", {"histoire"})));
    REQUIRE(r.status == 200);
    json revs = json::parse(r.body)["revisions"];
    REQUIRE(revs.size() == 5);
    std::vector<std::string> actions, by;
    for (auto& v : revs) {
        actions.push_back(v["action"]);
        by.push_back(v["by"]);
    }
    CHECK(actions == std::vector<std::string>{"deleted", "pinned", "corrected", "edited", "created"});
    CHECK(by == std::vector<std::string>{"test-editor", "test-editor", "Marie Dupont", "Marie Dupont", "Marie Dupont"});
    CHECK(revs[0]["version"] == 5);
    CHECK(revs[4]["version"] == 1);
    CHECK(revs[4]["blocks"][0]["text"] == "Version 1");
    CHECK(revs[2]["blocks"][0]["text"] == "Version 3");
    CHECK(revs[2]["correction"] == "Erreur de chiffre");
    CHECK(revs[0]["at"].get<std::string>() >= revs[4]["at"].get<std::string>());

    // Out of scope, anonymous, or an unknown entry.
    CHECK(http_request(port, "GET", path, {}, auth(make_token("x", "editor", {"ailleurs"}))).status == 403);
    CHECK(http_request(port, "GET", path).status == 401);
    CHECK(http_request(port, "GET", "/api/stories/histoire/entries/nope/revisions", {}, auth(make_token("x", "admin"))).status == 404);
    // Kept across a restart.
    server.terminate();
    server.start();
    auto again = http_request(server.port(), "GET", path, {}, auth(make_token("x", "admin")));
    CHECK(json::parse(again.body)["revisions"].size() == 5);
}
