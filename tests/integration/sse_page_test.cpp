// The SSE fallback, the server-rendered page, static files and /metrics,
// against the real server.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "support/editor.hpp"
#include "support/server_process.hpp"
#include "support/sse_client.hpp"
#include "unit/prometheus_text.hpp"

using namespace liveblog::test;

namespace {
std::string run(const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}
}  // namespace

TEST_CASE("SSE: snapshot - live events - resume with Last-Event-ID gets exactly the missed events") {
    ServerProcess server({"--sse-heartbeat-s", "0.3"});
    auto port = server.port();
    Editor editor(port);
    editor.create_story("flux");
    for (int i = 1; i <= 5; ++i) editor.post("flux", "avant " + std::to_string(i));

    {
        SseClient sse(port, "/sse/stories/flux");
        CHECK(sse.status() == 200);
        CHECK(sse.head().find("text/event-stream") != std::string::npos);
        SseEvent snap = sse.next_of_type("snapshot");
        CHECK(snap.id == std::optional<std::string>("5"));
        CHECK(snap.json()["entries"].size() == 5);
        CHECK(sse.retry_ms() == std::optional<unsigned>(3000));
        sse.next_of_type("subscribed");
        // An entry posted over HTTP arrives on SSE.
        auto r = http_request(port, "POST", "/api/stories/flux/entries", json{{"blocks", text_blocks("par HTTP")}}.dump(),
                              {{"Authorization", "Bearer " + make_token("cms", "admin")}, {"Content-Type", "application/json"}});
        REQUIRE(r.status == 201);
        SseEvent live = sse.next_of_type("event");
        CHECK(live.id == std::optional<std::string>("6"));
        CHECK(live.json()["entry"]["blocks"][0]["text"] == "par HTTP");
        // Heartbeat comments keep proxies from timing the stream out.
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        while (sse.comments() == 0 && std::chrono::steady_clock::now() < until) {
            try {
                sse.next(std::chrono::milliseconds(400));
            } catch (const std::runtime_error&) {
            }
        }
        CHECK(sse.comments() > 0);
    }
    for (int i = 7; i <= 9; ++i) editor.post("flux", "pendant " + std::to_string(i));

    SECTION("our client") {
        SseClient sse(port, "/sse/stories/flux", {{"Last-Event-ID", "6"}});
        for (int seq = 7; seq <= 9; ++seq) {
            SseEvent e = sse.next_of_type("event");
            CHECK(e.id == std::optional<std::string>(std::to_string(seq)));
            CHECK(e.json()["seq"] == seq);
        }
        CHECK(sse.next_of_type("subscribed").json()["seq"] == 9);
    }
    SECTION("curl, a real HTTP client") {
        std::string out = run("curl -sN --max-time 2 -H 'Last-Event-ID: 6' http://127.0.0.1:" + std::to_string(port) +
                              "/sse/stories/flux");
        std::vector<std::string> ids;
        std::regex id_line("^id: (\\d+)$");
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);) {
            std::smatch m;
            if (std::regex_match(line, m, id_line)) ids.push_back(m[1]);
        }
        CHECK(ids == std::vector<std::string>{"7", "8", "9"});
    }
    SECTION("?since= and errors") {
        SseClient sse(port, "/sse/stories/flux?since=8");
        CHECK(sse.next_of_type("event").json()["seq"] == 9);
        CHECK(SseClient(port, "/sse/stories/inconnue").status() == 404);
        CHECK(SseClient(port, "/sse/stories/flux?since=abc").status() == 400);
    }
}

TEST_CASE("the rendered page: entries escaped - valid JSON-LD - seq for the script") {
    ServerProcess server;
    auto port = server.port();
    Editor editor(port);
    editor.create_story("page");
    editor.post("page", "Bonjour « lecteurs » 🎉");
    editor.post("page", "<script>alert(1)</script> et <img src=x onerror=alert(1)>");
    editor.command({{"type", "update_story"}, {"story", "page"}, {"status", "ended"}});

    auto r = http_request(port, "GET", "/stories/page");
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type").find("text/html") != std::string::npos);
    const std::string& html = r.body;
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(html.find("<img src=x") == std::string::npos);
    CHECK(html.find("Bonjour « lecteurs » 🎉") != std::string::npos);
    CHECK(html.find("data-seq=\"3\"") != std::string::npos);

    std::smatch m;
    REQUIRE(std::regex_search(html, m, std::regex(R"(<script type="application/ld\+json">([\s\S]*?)</script>)")));
    json ld = json::parse(m[1].str());
    CHECK(ld["@type"] == "LiveBlogPosting");
    CHECK(ld.contains("coverageStartTime"));
    CHECK(ld.contains("coverageEndTime"));  // the story has ended
    REQUIRE(ld["liveBlogUpdate"].size() == 2);
    CHECK(ld["liveBlogUpdate"][0]["articleBody"].get<std::string>().find("<script>") != std::string::npos);

    auto list = http_request(port, "GET", "/");
    CHECK(list.status == 200);
    CHECK(list.body.find("/stories/page") != std::string::npos);
}

TEST_CASE("static files: served with content types - traversal refused") {
    std::string dir = make_temp_dir();
    std::filesystem::create_directories(dir + "/js");
    std::ofstream(dir + "/js/app.js") << "export const ok = 1;\n";
    // What a client directory must hold for the server to start (the pages use them).
    std::ofstream(dir + "/js/reader-page.js") << "import './liveblog-client.js';\n";
    std::ofstream(dir + "/js/liveblog-client.js") << "export {};\n";
    std::ofstream(dir + "/editor.html") << "<!doctype html><title>Éditeur</title>\n";
    std::ofstream(dir + "/.secret") << "hidden\n";
    ServerProcess server({"--static-dir", dir});
    auto port = server.port();
    auto js = http_request(port, "GET", "/static/js/app.js");
    CHECK(js.status == 200);
    CHECK(js.header("Content-Type").find("javascript") != std::string::npos);
    CHECK(js.body == "export const ok = 1;\n");
    CHECK(http_request(port, "GET", "/editor").status == 200);
    for (std::string bad : {"/static/../server.log", "/static/%2e%2e/server.log", "/static/js/../../server.log",
                            "/static/..%2fserver.log", "/static/.secret", "/static/js/", "/static/js",
                            "/static//etc/passwd", "/static/js%00.js", "/static/%zz"}) {
        INFO(bad);
        auto r = http_request(port, "GET", bad);
        CHECK((r.status == 404 || r.status == 400));
        CHECK(r.body.find("hidden") == std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("/metrics parses as Prometheus text and counts what happened") {
    ServerProcess server;
    auto port = server.port();
    Editor editor(port);
    editor.create_story("mesures");
    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "mesures"}});
    reader.recv_type("subscribed");
    for (int i = 0; i < 3; ++i) editor.post("mesures", "m" + std::to_string(i));
    for (int i = 0; i < 3; ++i) reader.recv_type("event");

    auto r = http_request(port, "GET", "/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type").find("text/plain; version=0.0.4") != std::string::npos);
    auto families = liveblog::test::parse_prometheus_text(r.body);  // throws on any format violation
    CHECK(families.value("liveblog_events_published_total") == 3);
    CHECK(families.value("liveblog_connections", {{"transport", "ws"}}) == 1);
    CHECK(families.value("liveblog_connections", {{"transport", "admin_ws"}}) == 1);
    CHECK(families.value("liveblog_story_subscribers", {{"story", "mesures"}}) == 1);
    CHECK(families.value("liveblog_frames_sent_total") >= 6);
    CHECK(families.value("liveblog_store_commit_seconds_count") >= 1);
    CHECK(families.value("liveblog_publish_to_ack_seconds_count") == 4);
    CHECK(families.value("liveblog_store_ready") == 1);
}
