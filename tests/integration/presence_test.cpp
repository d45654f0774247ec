// Who is editing: editors on a story see each other, and the entry each has
// open, on the editors' channel only.
#include <catch2/catch.hpp>

#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {
json editors_of(WsClient& ws) { return ws.recv_type("editors")["editors"]; }
}  // namespace

TEST_CASE("presence: editors on a story see each other and the entry each has open") {
    ServerProcess server;
    auto port = server.port();
    Editor setup(port);
    setup.create_story("ensemble");
    setup.create_story("autre");
    json posted = setup.post("ensemble", "Une entrée");

    Editor marie(port, make_token("Marie", "editor"));
    Editor leo(port, make_token("Léo", "editor"));
    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "ensemble"}});
    reader.recv_type("snapshot");

    marie.ws().send({{"type", "editing"}, {"story", "ensemble"}});
    CHECK(editors_of(marie.ws()).empty());  // alone
    leo.ws().send({{"type", "editing"}, {"story", "ensemble"}, {"entry_id", nullptr}});
    json seen_by_leo = editors_of(leo.ws());
    REQUIRE(seen_by_leo.size() == 1);
    CHECK(seen_by_leo[0]["name"] == "Marie");
    CHECK(seen_by_leo[0]["entry_id"].is_null());
    CHECK(editors_of(marie.ws())[0]["name"] == "Léo");

    // Marie opens the entry: Léo is told which.
    marie.ws().send({{"type", "editing"}, {"story", "ensemble"}, {"entry_id", posted["entry_id"]}});
    CHECK(editors_of(leo.ws())[0]["entry_id"] == posted["entry_id"]);
    editors_of(marie.ws());

    // Marie goes to another story: Léo is alone again.
    marie.ws().send({{"type", "editing"}, {"story", "autre"}});
    CHECK(editors_of(leo.ws()).empty());
    editors_of(marie.ws());
    marie.ws().send({{"type", "editing"}, {"story", "ensemble"}});
    editors_of(marie.ws());
    CHECK(editors_of(leo.ws()).size() == 1);
    // Leaving (the connection closes) tells the others.
    marie.ws().close();
    CHECK(editors_of(leo.ws()).empty());

    // Readers never see it.
    CHECK_THROWS(reader.recv_type("editors", 300ms));

    // Scope and authentication hold.
    Editor scoped(port, make_token("Zoé", "editor", {"autre"}));
    scoped.ws().send({{"type", "editing"}, {"story", "ensemble"}});
    CHECK(scoped.ws().recv_type("error")["code"] == "forbidden");
    WsClient anonymous(port, {"/admin/ws"});
    anonymous.send({{"type", "editing"}, {"story", "ensemble"}});
    CHECK(anonymous.recv_type("error")["code"] == "unauthorized");
    leo.ws().send({{"type", "editing"}, {"story", "Pas Valide"}});
    CHECK(leo.ws().recv_type("error")["code"] == "invalid_slug");
}
