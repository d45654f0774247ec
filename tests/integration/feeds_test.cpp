// A story for other programs against the real server (docs/protocol.md
// "Feeds", "Embeds and oEmbed"): the Atom and JSON feeds, their caching,
// the embed page, the oEmbed endpoint, and the static files' CORS for
// embeds on other sites. (tests/browser/feeds.test.mjs reads the same feeds
// with Chromium's XML parser and checks Atom's and JSON Feed's rules.)
#include <catch2/catch.hpp>

#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
    return n;
}

}  // namespace

TEST_CASE("feeds: Atom and JSON Feed carry the published entries, corrections and key events, and are cached like pages") {
    ServerProcess server;
    const auto port = server.port();
    Editor editor(port);
    editor.create_story("soir", "Soirée <électorale> & résultats");
    json first = editor.post("soir", "Premiers résultats à **20 h**");
    json key = editor.command({{"type", "post_entry"}, {"story", "soir"}, {"key_event", true}, {"title", "Le résultat"},
                               {"blocks", text_blocks("Le candidat A l'emporte")}});
    REQUIRE(key["type"] == "ack");
    json gone = editor.post("soir", "Une entrée retirée");
    REQUIRE(editor.command({{"type", "delete_entry"}, {"story", "soir"}, {"entry_id", gone["entry_id"]}})["type"] == "ack");
    REQUIRE(editor.command({{"type", "update_entry"}, {"story", "soir"}, {"entry_id", first["entry_id"]},
                            {"expected_version", 1}, {"blocks", text_blocks("Premiers résultats à **20 h 05**")},
                            {"correction", "l'heure était 20 h 05"}})["type"] == "ack");

    auto atom = http_request(port, "GET", "/stories/soir/feed.atom", "", {{"Host", "live.example"}});
    REQUIRE(atom.status == 200);
    CHECK(atom.header("Content-Type") == "application/atom+xml; charset=utf-8");
    const std::string& a = atom.body;
    CHECK(a.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"", 0) == 0);
    CHECK(contains(a, "<title>Soirée &lt;électorale&gt; &amp; résultats</title>"));
    CHECK(contains(a, "<link rel=\"self\" type=\"application/atom+xml\" href=\"http://live.example/stories/soir/feed.atom\"/>"));
    CHECK(count_of(a, "<entry>") == 2);  // the deleted one is not there
    CHECK_FALSE(contains(a, "retirée"));
    CHECK(contains(a, "<category term=\"key-event\""));
    CHECK(contains(a, "<id>http://live.example/stories/soir#entry-" + first["entry_id"].get<std::string>() + "</id>"));
    // The entry as edited, with its public correction, HTML escaped once.
    CHECK(contains(a, "&lt;strong&gt;20 h 05&lt;/strong&gt;"));
    CHECK(contains(a, "l&amp;#39;heure était 20 h 05"));

    auto feed = http_request(port, "GET", "/stories/soir/feed.json", "", {{"Host", "live.example"}});
    REQUIRE(feed.status == 200);
    CHECK(feed.header("Content-Type") == "application/feed+json; charset=utf-8");
    json j = json::parse(feed.body);
    CHECK(j["version"] == "https://jsonfeed.org/version/1.1");
    CHECK(j["feed_url"] == "http://live.example/stories/soir/feed.json");
    CHECK(j["home_page_url"] == "http://live.example/stories/soir");
    REQUIRE(j["items"].size() == 2);
    CHECK(j["items"][0]["title"] == "Le résultat");  // newest first
    CHECK(j["items"][0]["tags"] == json::array({"key-event"}));
    CHECK(j["items"][1]["id"] == first["entry_id"]);
    CHECK(contains(j["items"][1]["content_html"], "<p class=\"correction\">Corrigé à <time"));
    CHECK(j["items"][1]["content_text"] == "Premiers résultats à 20 h 05");
    CHECK(j["items"][1]["authors"][0]["name"] == "test-editor");

    // Cached like pages: an ETag that changes with the story, 304 on a match.
    const std::string etag = feed.header("ETag");
    CHECK(http_request(port, "GET", "/stories/soir/feed.json", "", {{"Host", "live.example"}, {"If-None-Match", etag}})
              .status == 304);
    editor.post("soir", "Encore une");
    auto newer = http_request(port, "GET", "/stories/soir/feed.json", "", {{"Host", "live.example"}, {"If-None-Match", etag}});
    CHECK(newer.status == 200);
    CHECK(json::parse(newer.body)["items"].size() == 3);

    // A forged Host writes nothing into a feed: it falls back to localhost.
    for (const char* host : {"evil\"><script>x", "evil.example/phish?", "user@evil.example"}) {
        INFO(host);
        auto forged = http_request(port, "GET", "/stories/soir/feed.atom", "", {{"Host", host}});
        REQUIRE(forged.status == 200);
        CHECK_FALSE(contains(forged.body, "evil"));
        CHECK(contains(forged.body, "href=\"http://localhost/stories/soir/feed.atom\""));
    }
    CHECK(http_request(port, "GET", "/stories/nope/feed.atom").status == 404);
    // Pages point to their feeds and to the oEmbed endpoint.
    auto page = http_request(port, "GET", "/stories/soir");
    CHECK(contains(page.body, "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/stories/soir/feed.atom\""));
    CHECK(contains(page.body, "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"/oembed?url=%2Fstories%2Fsoir\""));
}

TEST_CASE("feeds: public_url makes the addresses, and uploaded images are absolute") {
    ServerProcess server({"--public-url", "https://direct.example/"});
    Editor editor(server.port());
    editor.create_story("photos", "Photos");
    REQUIRE(editor.command({{"type", "post_entry"}, {"story", "photos"},
                            {"blocks", {{{"type", "image"}, {"src", "https://cdn.example/a.jpg"}, {"alt", "A"}}}}})["type"] == "ack");
    json j = json::parse(http_request(server.port(), "GET", "/stories/photos/feed.json").body);
    CHECK(j["feed_url"] == "https://direct.example/stories/photos/feed.json");
    CHECK(j["items"][0]["image"] == "https://cdn.example/a.jpg");
}

TEST_CASE("oEmbed: a story's address gives its iframe; other addresses and formats are refused") {
    ServerProcess server;
    const auto port = server.port();
    Editor editor(port);
    editor.create_story("soir", "Soirée électorale");
    auto r = http_request(port, "GET", "/oembed?url=https%3A%2F%2Flive.example%2Fstories%2Fsoir%3Futm%3Dx&maxwidth=500",
                          "", {{"Host", "live.example"}});
    REQUIRE(r.status == 200);
    json o = json::parse(r.body);
    CHECK(o["version"] == "1.0");
    CHECK(o["type"] == "rich");
    CHECK(o["width"] == 500);
    CHECK(o["height"] == 800);
    CHECK(o["title"] == "Soirée électorale");
    CHECK(o["html"] == "<iframe src=\"http://live.example/embed/stories/soir\" width=\"500\" height=\"800\" "
                       "style=\"border:0;max-width:100%\" title=\"Soirée électorale\" loading=\"lazy\"></iframe>");
    CHECK(r.header("Access-Control-Allow-Origin") == "*");
    CHECK(http_request(port, "GET", "/oembed?url=%2Fstories%2Fsoir").status == 200);  // the pages' discovery link
    CHECK(http_request(port, "GET", "/oembed?url=%2Fstories%2Fsoir&format=xml").status == 501);
    CHECK(http_request(port, "GET", "/oembed?url=https%3A%2F%2Flive.example%2Fstories%2Fnope").status == 404);
    CHECK(http_request(port, "GET", "/oembed?url=https%3A%2F%2Flive.example%2Feditor").status == 404);
    CHECK(http_request(port, "GET", "/oembed").status == 400);
    CHECK(http_request(port, "GET", "/oembed?url=%2Fstories%2Fsoir&maxwidth=0").status == 400);
}

TEST_CASE("embed page: the element alone with its options; static files load from other sites") {
    ServerProcess server;
    const auto port = server.port();
    Editor editor(port);
    editor.create_story("soir", "Soirée <électorale>");
    auto page = http_request(port, "GET", "/embed/stories/soir?limit=5&key_events_only=true&order=oldest");
    REQUIRE(page.status == 200);
    CHECK(contains(page.body, "<liveblog-story story=\"soir\" lang=\"fr\" data-limit=\"5\" data-key-events-only "
                              "data-order=\"oldest\"><a href=\"/stories/soir\" target=\"_top\">Soirée &lt;électorale&gt;</a></liveblog-story>"));
    CHECK(contains(page.body, "<script type=\"module\" src=\"/static/js/embed"));
    CHECK(contains(page.body, "<meta name=\"robots\" content=\"noindex\">"));
    CHECK(http_request(port, "GET", "/embed/stories/nope").status == 404);
    auto script = http_request(port, "GET", "/static/js/render.js", "", {{"Origin", "https://cms.example"}});
    CHECK(script.status == 200);
    CHECK(script.header("Access-Control-Allow-Origin") == "*");
}
