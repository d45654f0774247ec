// The desk: drafts, review and scheduled entries, black-box on a real
// server. Readers (/ws, pages, the API) see only what is published; the
// consoles on the story are told of every desk change (the editors' channel).
#include <catch2/catch.hpp>

#include <thread>

#include "common/clock.hpp"
#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {

bool is_event(const json& m) { return m.value("type", "") == "event"; }

std::string in_ms(long ms) { return liveblog::format_iso8601(liveblog::now_millis() + ms); }

// An editor's connection on a story's editors' channel: returns the desk it was sent.
json join_desk(Editor& e, const std::string& story) {
    e.ws().send({{"type", "editing"}, {"story", story}});
    return e.ws().recv_type("desk");
}

json next_desk_message(WsClient& ws, std::chrono::milliseconds timeout = 5s) {
    return ws.recv_until([](const json& m) {
        auto t = m.value("type", "");
        return t == "desk_item" || t == "desk_removed";
    }, timeout);
}

std::vector<std::string> revision_actions(unsigned short port, const std::string& token, const std::string& story,
                                          const std::string& id) {
    auto r = http_request(port, "GET", "/api/stories/" + story + "/entries/" + id + "/revisions", {},
                          {{"Authorization", "Bearer " + token}});
    REQUIRE(r.status == 200);
    std::vector<std::string> out;
    const json body = json::parse(r.body);
    for (auto& rev : body["revisions"]) out.push_back(rev["action"]);
    std::reverse(out.begin(), out.end());  // oldest first
    return out;
}

int published_count(unsigned short port, const std::string& story, const std::string& id) {
    auto r = http_request(port, "GET", "/api/stories/" + story + "/entries?limit=100");
    REQUIRE(r.status == 200);
    int n = 0;
    const json body = json::parse(r.body);
    for (auto& e : body["entries"]) n += e["id"] == id;
    return n;
}

// Subscribes and waits until entry `id` is published, from the catch-up or
// live: returns its published_at.
liveblog::Millis wait_published(WsClient& reader, const std::string& story, const std::string& id,
                                std::chrono::milliseconds timeout = 10s) {
    reader.send({{"type", "subscribe"}, {"story", story}});
    json found;
    for (;;) {
        json m = reader.recv_until([](const json& x) { return x.value("type", "") != "presence"; }, timeout);
        if (m["type"] == "snapshot")
            for (auto& e : m["entries"])
                if (e["id"] == id) found = e;
        if (is_event(m) && m["op"] == "entry.created" && m["entry"]["id"] == id) found = m["entry"];
        if (!found.is_null() && m["type"] != "snapshot") break;
        if (!found.is_null() && m["type"] == "snapshot") {
            reader.recv_type("subscribed");
            break;
        }
    }
    return *liveblog::parse_iso8601(found["published_at"].get<std::string>());
}

}  // namespace

TEST_CASE("desk: a contributor drafts and submits and an editor sends back then publishes - readers see only the entry") {
    ServerProcess server;
    auto port = server.port();
    Editor admin(port);
    admin.create_story("bureau");
    const std::string anne_token = make_token("anne", "contributor");
    const std::string paul_token = make_token("paul", "editor");
    Editor anne(port, anne_token);
    Editor paul(port, paul_token);
    CHECK(join_desk(anne, "bureau")["items"].empty());
    CHECK(join_desk(paul, "bureau")["items"].empty());
    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "bureau"}});
    reader.recv_type("subscribed");

    json saved = anne.command({{"type", "save_draft"}, {"story", "bureau"}, {"title", "Brouillon"},
                               {"blocks", text_blocks("Texte secret du brouillon")}});
    REQUIRE(saved["type"] == "ack");
    CHECK(saved["state"] == "draft");
    CHECK(saved["version"] == 1);
    const std::string id = saved["draft_id"];
    json told = next_desk_message(paul.ws());
    CHECK(told["type"] == "desk_item");
    CHECK(told["item"]["id"] == id);
    CHECK(told["item"]["state"] == "draft");
    CHECK(told["item"]["owner"]["name"] == "anne");
    // (The sender's own desk_item came before its ack: Editor::command skipped it.)

    // Nothing of it reaches readers: no event, not in the page, the API or the events.
    CHECK(reader.no_event_within(300ms));
    CHECK(http_request(port, "GET", "/stories/bureau").body.find("Texte secret") == std::string::npos);
    CHECK(http_request(port, "GET", "/api/stories/bureau/entries").body.find("Texte secret") == std::string::npos);
    CHECK(http_request(port, "GET", "/api/stories/bureau/events?since=0").body.find("Texte secret") == std::string::npos);
    // Nor anonymous HTTP.
    CHECK(http_request(port, "GET", "/api/stories/bureau/desk").status == 401);

    // Anne cannot publish; she submits.
    CHECK(anne.command({{"type", "publish_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 1}})["code"] ==
          "forbidden");
    json submitted = anne.command({{"type", "submit_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 1}});
    CHECK(submitted["state"] == "in_review");
    CHECK(next_desk_message(paul.ws())["item"]["state"] == "in_review");
    // ...and may no longer edit it in review.
    CHECK(anne.command({{"type", "save_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 2},
                        {"blocks", text_blocks("x")}})["code"] == "forbidden");

    // Paul sends it back with a comment; Anne sees it.
    json back = paul.command({{"type", "send_back_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 2},
                              {"comment", "Sourcez le chiffre"}});
    CHECK(back["state"] == "draft");
    json seen = next_desk_message(anne.ws());
    CHECK(seen["item"]["comment"]["text"] == "Sourcez le chiffre");
    CHECK(seen["item"]["comment"]["by"] == "paul");

    // Anne edits and resubmits; a stale version is refused.
    CHECK(anne.command({{"type", "save_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 2},
                        {"blocks", text_blocks("y")}})["code"] == "version_conflict");
    CHECK(anne.command({{"type", "save_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 3},
                        {"blocks", text_blocks("Selon l'Insee, 7,3 %")}})["version"] == 4);
    CHECK(anne.command({{"type", "submit_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 4}})["state"] ==
          "in_review");
    CHECK(reader.no_event_within(200ms));

    // The desk, as a console joining now reads it.
    Editor late(port, paul_token);
    json desk = join_desk(late, "bureau");
    REQUIRE(desk["items"].size() == 1);
    CHECK(desk["items"][0]["version"] == 5);
    CHECK(desk["items"][0]["state"] == "in_review");
    CHECK_FALSE(desk["items"][0].contains("comment"));  // resubmitted

    // Paul edits then publishes in one step: the entry keeps the draft's id.
    json pub = paul.command({{"type", "publish_draft"}, {"story", "bureau"}, {"draft_id", id}, {"expected_version", 5},
                             {"blocks", text_blocks("Selon l'Insee, le chômage est à 7,3 %")}});
    REQUIRE(pub["type"] == "ack");
    CHECK(pub["entry_id"] == id);
    CHECK(pub["version"] == 6);
    json ev = reader.recv_until(is_event);
    CHECK(ev["op"] == "entry.created");
    CHECK(ev["entry"]["id"] == id);
    CHECK(ev["entry"]["author"]["name"] == "anne");
    CHECK(ev["entry"]["blocks"][0]["text"] == "Selon l'Insee, le chômage est à 7,3 %");
    for (Editor* e : {&anne, &late}) {
        json gone = next_desk_message(e->ws());
        CHECK(gone["type"] == "desk_removed");
        CHECK(gone["entry_id"] == id);
    }
    CHECK(http_request(port, "GET", "/stories/bureau").body.find("le chômage est à 7,3") != std::string::npos);
    CHECK(published_count(port, "bureau", id) == 1);

    // The whole way is in the entry's history.
    CHECK(revision_actions(port, paul_token, "bureau", id) ==
          std::vector<std::string>{"drafted", "submitted", "sent_back", "edited", "submitted", "published"});
    // Readers never saw a desk message.
    CHECK_THROWS(reader.recv_type("desk_item", 200ms));
}

TEST_CASE("desk: contributors handle only their own drafts - roles and scope - states and bad input") {
    ServerProcess server;
    auto port = server.port();
    Editor admin(port);
    admin.create_story("roles");
    admin.create_story("ailleurs");
    Editor anne(port, make_token("anne", "contributor"));
    Editor bob(port, make_token("bob", "contributor"));
    Editor scoped(port, make_token("zoe", "editor", {"ailleurs"}));
    json saved = anne.command({{"type", "save_draft"}, {"story", "roles"}, {"blocks", text_blocks("a")}});
    const std::string id = saved["draft_id"];
    auto cmd = [&](const std::string& type, json extra = json::object()) {
        json m{{"type", type}, {"story", "roles"}, {"draft_id", id}, {"expected_version", 1}};
        m.update(extra);
        return m;
    };
    // Bob: not his.
    CHECK(bob.command(cmd("save_draft", {{"blocks", text_blocks("b")}}))["code"] == "forbidden");
    CHECK(bob.command(cmd("submit_draft"))["code"] == "forbidden");
    CHECK(bob.command(cmd("delete_draft"))["code"] == "forbidden");
    // Contributors never schedule or publish, not even their own.
    CHECK(anne.command(cmd("schedule_draft", {{"publish_at", in_ms(60000)}}))["code"] == "forbidden");
    CHECK(anne.command(cmd("unschedule_draft"))["code"] == "forbidden");
    // Outside an editor's scope.
    CHECK(scoped.command(cmd("publish_draft"))["code"] == "forbidden");
    CHECK(scoped.command({{"type", "save_draft"}, {"story", "roles"}, {"blocks", text_blocks("z")}})["code"] == "forbidden");
    // States.
    CHECK(admin.command(cmd("unschedule_draft"))["code"] == "invalid_state");
    CHECK(admin.command(cmd("send_back_draft"))["code"] == "invalid_state");
    // Unknown, malformed.
    CHECK(admin.command(cmd("submit_draft", {{"draft_id", "nope"}}))["code"] == "unknown_draft");
    CHECK(admin.command(cmd("submit_draft", {{"story", "absente"}}))["code"] == "unknown_story");
    CHECK(admin.command(cmd("schedule_draft", {{"publish_at", "demain"}}))["code"] == "bad_request");
    CHECK(admin.command(cmd("schedule_draft", {{"publish_at", in_ms(-5000)}}))["code"] == "bad_request");
    CHECK(admin.command(cmd("schedule_draft", {{"publish_at", "2031-01-01T00:00:00Z"}}))["code"] == "bad_request");
    CHECK(admin.command(cmd("submit_draft", {{"expected_version", nullptr}}))["code"] == "bad_request");
    CHECK(admin.command({{"type", "save_draft"}, {"story", "roles"}})["code"] == "bad_request");  // no blocks
    CHECK(admin.command({{"type", "save_draft"}, {"story", "roles"}, {"blocks", json::array({{{"type", "video"}}})}})["code"] ==
          "invalid_content");
    // Readers cannot send desk commands at all.
    WsClient reader(port);
    reader.send({{"type", "save_draft"}, {"story", "roles"}, {"blocks", text_blocks("r")}});
    CHECK(reader.recv_type("error")["code"] == "unknown_type");
    // Anne deletes her own draft.
    CHECK(anne.command({{"type", "delete_draft"}, {"story", "roles"}, {"draft_id", id}})["type"] == "ack");
    CHECK(anne.command(cmd("submit_draft"))["code"] == "unknown_draft");
}

TEST_CASE("desk over REST: a CMS files a draft and submits it - an editor schedules then publishes it") {
    ServerProcess server;
    auto port = server.port();
    Editor admin(port);
    admin.create_story("cms");
    auto as = [](const std::string& token) {
        return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + token},
                                                                 {"Content-Type", "application/json"}};
    };
    const auto cms = as(make_token("cms", "contributor"));
    const auto chef = as(make_token("chef", "editor"));
    auto created = http_request(port, "POST", "/api/stories/cms/desk", json{{"blocks", text_blocks("Dépêche")}}.dump(), cms);
    REQUIRE(created.status == 201);
    const std::string id = json::parse(created.body)["draft_id"];
    auto patched = http_request(port, "PATCH", "/api/stories/cms/desk/" + id, json{{"title", "Titre"}}.dump(),
                                [&] { auto h = cms; h.push_back({"If-Match", "\"1\""}); return h; }());
    CHECK(patched.status == 200);
    CHECK(http_request(port, "POST", "/api/stories/cms/desk/" + id + "/submit", json{{"expected_version", 2}}.dump(), cms).status ==
          200);
    auto desk = json::parse(http_request(port, "GET", "/api/stories/cms/desk", {}, chef).body);
    REQUIRE(desk["items"].size() == 1);
    CHECK(desk["items"][0]["title"] == "Titre");
    CHECK(desk["items"][0]["state"] == "in_review");
    auto sched = http_request(port, "POST", "/api/stories/cms/desk/" + id + "/schedule",
                              json{{"expected_version", 3}, {"publish_at", in_ms(3600000)}}.dump(), chef);
    CHECK(sched.status == 200);
    CHECK(json::parse(http_request(port, "GET", "/api/stories/cms/desk", {}, chef).body)["items"][0].contains("publish_at"));
    CHECK(http_request(port, "POST", "/api/stories/cms/desk/" + id + "/publish", json{{"expected_version", 4}}.dump(), cms)
              .status == 403);
    CHECK(http_request(port, "POST", "/api/stories/cms/desk/" + id + "/frobnicate", "{}", chef).status == 404);
    auto pub = http_request(port, "POST", "/api/stories/cms/desk/" + id + "/publish", json{{"expected_version", 4}}.dump(), chef);
    REQUIRE(pub.status == 200);
    CHECK(json::parse(pub.body)["entry_id"] == id);
    CHECK(published_count(port, "cms", id) == 1);
    CHECK(json::parse(http_request(port, "GET", "/api/stories/cms/desk", {}, chef).body)["items"].empty());
}

TEST_CASE("schedule: an entry goes out at its time (within 1 s) and exactly once - rescheduled and cancelled ones obey") {
    ServerProcess server;
    auto port = server.port();
    Editor editor(port);
    editor.create_story("horaire");
    editor.ws().send({{"type", "editing"}, {"story", "horaire"}});
    editor.ws().recv_type("desk");
    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "horaire"}});
    reader.recv_type("subscribed");
    auto draft = [&](const std::string& text) {
        return editor.command({{"type", "save_draft"}, {"story", "horaire"}, {"blocks", text_blocks(text)}})["draft_id"]
            .get<std::string>();
    };
    const std::string on_time = draft("à l'heure"), moved = draft("déplacée"), cancelled = draft("annulée");
    const liveblog::Millis at = liveblog::now_millis() + 2500;
    auto schedule = [&](const std::string& id, std::uint32_t v, liveblog::Millis when) {
        return editor.command({{"type", "schedule_draft"}, {"story", "horaire"}, {"draft_id", id}, {"expected_version", v},
                               {"publish_at", liveblog::format_iso8601(when)}});
    };
    CHECK(schedule(on_time, 1, at)["state"] == "scheduled");
    CHECK(schedule(moved, 1, at + 600000)["state"] == "scheduled");
    CHECK(schedule(moved, 2, at + 1000)["state"] == "scheduled");  // rescheduled: sooner
    CHECK(schedule(cancelled, 1, at)["state"] == "scheduled");
    CHECK(editor.command({{"type", "unschedule_draft"}, {"story", "horaire"}, {"draft_id", cancelled},
                          {"expected_version", 2}})["state"] == "in_review");

    json first = reader.recv_until(is_event, 10s);
    const liveblog::Millis seen = liveblog::now_millis();
    CHECK(first["entry"]["id"] == on_time);
    const auto published_at = *liveblog::parse_iso8601(first["entry"]["published_at"].get<std::string>());
    CHECK(published_at >= at);
    CHECK(published_at <= at + 1000);
    CHECK(seen <= at + 1500);
    json second = reader.recv_until(is_event, 10s);
    CHECK(second["entry"]["id"] == moved);
    const auto second_at = *liveblog::parse_iso8601(second["entry"]["published_at"].get<std::string>());
    CHECK(second_at >= at + 1000);
    CHECK(second_at <= at + 2000);
    // The cancelled one stays in review; nothing goes out twice.
    CHECK(reader.no_event_within(1500ms));
    json desk = json::parse(http_request(port, "GET", "/api/stories/horaire/desk", {},
                                         {{"Authorization", "Bearer " + make_token("x", "editor")}}).body);
    REQUIRE(desk["items"].size() == 1);
    CHECK(desk["items"][0]["id"] == cancelled);
    CHECK(published_count(port, "horaire", on_time) == 1);
    CHECK(published_count(port, "horaire", moved) == 1);
    CHECK(server.log().find("\"action\":\"entry.published\"") != std::string::npos);  // audited, from the schedule
}

TEST_CASE("schedule: kill -9 before its time - the restarted server publishes it on time and once") {
    ServerProcess::Options o;
    o.data_dir = make_temp_dir();
    ServerProcess server(o);
    std::string id;
    liveblog::Millis at = 0;
    {
        Editor editor(server.port());
        editor.create_story("reprise");
        id = editor.command({{"type", "save_draft"}, {"story", "reprise"}, {"blocks", text_blocks("programmée")}})["draft_id"];
        at = liveblog::now_millis() + 3000;
        REQUIRE(editor.command({{"type", "schedule_draft"}, {"story", "reprise"}, {"draft_id", id}, {"expected_version", 1},
                                {"publish_at", liveblog::format_iso8601(at)}})["type"] == "ack");
        server.kill9();
    }
    server.start();
    CHECK(liveblog::now_millis() < at);  // restarted before its time
    WsClient reader(server.port());
    const auto published_at = wait_published(reader, "reprise", id);
    CHECK(published_at >= at);
    CHECK(published_at <= at + 1000);
    // Killed again right after: still exactly one.
    server.kill9();
    server.start();
    CHECK(published_count(server.port(), "reprise", id) == 1);
    std::this_thread::sleep_for(600ms);  // a few scheduler passes
    CHECK(published_count(server.port(), "reprise", id) == 1);
}

TEST_CASE("schedule: its time passed while the server was down - it goes out at start and once") {
    ServerProcess::Options o;
    o.data_dir = make_temp_dir();
    ServerProcess server(o);
    std::string id;
    {
        Editor editor(server.port());
        editor.create_story("retard");
        id = editor.command({{"type", "save_draft"}, {"story", "retard"}, {"blocks", text_blocks("en retard")}})["draft_id"];
        REQUIRE(editor.command({{"type", "schedule_draft"}, {"story", "retard"}, {"draft_id", id}, {"expected_version", 1},
                                {"publish_at", in_ms(800)}})["type"] == "ack");
        server.kill9();
    }
    std::this_thread::sleep_for(1500ms);
    server.start();
    const liveblog::Millis started = liveblog::now_millis();
    WsClient reader(server.port());
    CHECK(wait_published(reader, "retard", id) <= started + 1000);
    CHECK(reader.no_event_within(600ms));
    CHECK(published_count(server.port(), "retard", id) == 1);
}
