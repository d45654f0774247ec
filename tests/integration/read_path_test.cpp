// The pull path as a client sees it: compressed answers by Accept-Encoding,
// pages and API pages from the read cache (never older than their ETag),
// static files by versioned URL, and the client files found from the
// executable's location whatever the server's current directory.

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <thread>

#include "http/compression.hpp"
#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;
using liveblog::brotli_decompress;
using liveblog::gzip_decompress;

namespace {

// No Catch macros in these two: the readers' threads call them.

// The seq an ETag "<epoch>-<seq>-..." (weak or not) names; 0 if none.
std::uint64_t etag_seq(std::string tag) {
    std::smatch m;
    if (!std::regex_search(tag, m, std::regex("\"[^-\"]+-([0-9]+)"))) return 0;
    return std::stoull(m[1]);
}

// The body as sent before its Content-Encoding; "<undecodable>" if it is not one.
std::string decoded(const HttpResult& r) {
    std::string enc = r.header("Content-Encoding"), out;
    if (enc.empty()) return r.body;
    if (enc == "gzip" && gzip_decompress(r.body, out)) return out;
    if (enc == "br" && brotli_decompress(r.body, out)) return out;
    return "<undecodable>";
}

}  // namespace

TEST_CASE("read path: compression by Accept-Encoding, for clients that refuse it too") {
    ServerProcess server(ServerProcess::Options{{}, {}, true});
    auto port = server.port();
    for (std::string target : {"/stories/demo-en-direct", "/api/stories/demo-en-direct/entries?limit=20",
                               "/static/js/liveblog-client.js", "/editor"}) {
        INFO(target);
        auto plain = http_request(port, "GET", target);
        REQUIRE(plain.status == 200);
        CHECK(plain.header("Content-Encoding").empty());
        CHECK(plain.header("Vary").find("Accept-Encoding") != std::string::npos);
        struct Row {
            const char* accept;
            const char* expect;
        };
        for (auto row : {Row{"gzip", "gzip"}, Row{"gzip, deflate, br", "br"}, Row{"br;q=0, gzip", "gzip"},
                         Row{"gzip;q=0, br;q=0", ""}, Row{"identity", ""}, Row{"*", "br"}}) {
            INFO(row.accept);
            auto r = http_request(port, "GET", target, {}, {{"Accept-Encoding", row.accept}});
            REQUIRE(r.status == 200);
            CHECK(r.header("Content-Encoding") == row.expect);
            CHECK(r.header("Vary").find("Accept-Encoding") != std::string::npos);
            CHECK(decoded(r) == plain.body);
            if (*row.expect) CHECK(r.body.size() * 2 < plain.body.size());
        }
        // HEAD: the GET's headers (the compressed length), no body.
        auto head = http_request(port, "HEAD", target, {}, {{"Accept-Encoding", "br"}});
        CHECK(head.status == 200);
        CHECK(head.header("Content-Encoding") == "br");
        CHECK(head.body.empty());
    }
    // Small answers are not worth it.
    auto story = http_request(port, "GET", "/api/stories/demo-en-direct", {}, {{"Accept-Encoding", "gzip"}});
    CHECK(story.header("Content-Encoding").empty());
    // Errors stay readable.
    auto missing = http_request(port, "GET", "/api/stories/nope/entries", {}, {{"Accept-Encoding", "br"}});
    CHECK(missing.status == 404);
    CHECK(decoded(missing).find("unknown_story") != std::string::npos);
}

TEST_CASE("read path: a cached page is never older than its ETag - and follows every change") {
    ServerProcess server;
    auto port = server.port();
    Editor editor(port);
    editor.create_story("cache");
    const auto base = editor.post("cache", "premier")["seq"].get<std::uint64_t>();
    auto first = http_request(port, "GET", "/stories/cache", {}, {{"Accept-Encoding", "br"}});
    REQUIRE(first.status == 200);
    const std::string tag = first.header("ETag");
    CHECK(tag.rfind("W/", 0) == 0);
    // Revalidation with the weak tag, and with the identity form's strong one.
    CHECK(http_request(port, "GET", "/stories/cache", {}, {{"If-None-Match", tag}, {"Accept-Encoding", "br"}}).status == 304);
    CHECK(http_request(port, "GET", "/stories/cache", {}, {{"If-None-Match", tag.substr(2)}}).status == 304);

    // Readers hammer the page and the API while an editor posts: every answer
    // shows at least the state its ETag names, and at least every entry
    // acknowledged before the request was sent.
    std::atomic<bool> done{false};
    std::atomic<int> checked{0}, wrong{0};
    std::atomic<std::uint64_t> acked_seq{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t)
        readers.emplace_back([&, t] {
            while (!done) {
                const std::uint64_t floor = acked_seq;
                auto r = http_request(port, "GET", t == 0 ? "/stories/cache" : "/api/stories/cache/entries?limit=50", {},
                                      {{"Accept-Encoding", t == 0 ? "gzip" : "br"}});
                std::string body = decoded(r);
                std::uint64_t seq = etag_seq(r.header("ETag"));
                // Entry texts are "n<seq>" (each post is one seq): the newest shown
                // must be at least the ETag's.
                std::uint64_t newest = 0;
                std::smatch m;
                for (auto it = body.cbegin(); std::regex_search(it, body.cend(), m, std::regex("n([0-9]+)x"));
                     it = m.suffix().first)
                    newest = std::max<std::uint64_t>(newest, std::stoull(m[1]));
                if (r.status != 200 || seq < floor || (seq > base && newest < seq)) ++wrong;
                if (t == 0 && body.find("data-seq=\"" + std::to_string(seq) + "\"") == std::string::npos) ++wrong;
                ++checked;
            }
        });
    int out_of_order = 0;
    for (std::uint64_t i = 1; i <= 60; ++i) {
        // Each post is the story's next seq; its text names it.
        auto ack = editor.post("cache", "n" + std::to_string(base + i) + "x");
        acked_seq = ack["seq"].get<std::uint64_t>();
        if (acked_seq != base + i) ++out_of_order;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    done = true;
    for (auto& t : readers) t.join();
    CHECK(out_of_order == 0);
    CHECK(wrong == 0);
    CHECK(checked > 20);

    auto last = http_request(port, "GET", "/stories/cache");
    CHECK(etag_seq(last.header("ETag")) == base + 60);
    CHECK(last.body.find("n" + std::to_string(base + 60) + "x") != std::string::npos);
    // The renders were shared: the metrics count hits.
    auto metrics = http_request(port, "GET", "/metrics").body;
    CHECK(metrics.find("liveblog_read_cache_total{outcome=\"hit\"}") != std::string::npos);
}

TEST_CASE("read path: static files by versioned URL are immutable - the page names them") {
    ServerProcess server(ServerProcess::Options{{}, {}, true});
    auto port = server.port();
    auto page = http_request(port, "GET", "/stories/demo-en-direct").body;
    std::smatch m;
    REQUIRE(std::regex_search(page, m, std::regex("<script type=\"module\" src=\"(/static/js/reader-page\\.js\\?v=[0-9a-f]{12})\"")));
    const std::string versioned = m[1];
    REQUIRE(std::regex_search(page, m, std::regex("<script type=\"importmap\">([^<]*)</script>")));
    auto map = nlohmann::json::parse(std::string(m[1]));
    CHECK(map["imports"].contains("/static/js/liveblog-client.js"));

    auto v = http_request(port, "GET", versioned);
    CHECK(v.status == 200);
    CHECK(v.header("Cache-Control") == "public, max-age=31536000, immutable");
    auto plain = http_request(port, "GET", "/static/js/reader-page.js");
    CHECK(plain.header("Cache-Control") == "public, max-age=60");
    CHECK(plain.body == v.body);
    auto old = http_request(port, "GET", "/static/js/reader-page.js?v=000000000000");
    CHECK(old.header("Cache-Control") == "public, max-age=60");
    CHECK(http_request(port, "GET", "/static/js/reader-page.js", {}, {{"If-None-Match", plain.header("ETag")}}).status == 304);
    // Every module in the map answers under its versioned URL.
    for (auto& [from, to] : map["imports"].items()) {
        INFO(to);
        CHECK(http_request(port, "GET", to.get<std::string>()).status == 200);
    }
    // The console's HTML is rewritten the same way.
    auto console = http_request(port, "GET", "/editor");
    CHECK(console.header("Cache-Control") == "no-cache");
    CHECK(std::regex_search(console.body, std::regex("src=\"/static/js/editor\\.js\\?v=[0-9a-f]{12}\"")));
    CHECK(console.body.find("<script type=\"importmap\">") < console.body.find("<script type=\"module\""));
}

TEST_CASE("read path: the client files are found from the executable, whatever the current directory") {
    ServerProcess::Options o;
    o.demo = true;
    o.working_dir = "/";
    ServerProcess server(o);
    auto port = server.port();
    CHECK(http_request(port, "GET", "/static/js/reader-page.js").status == 200);
    CHECK(http_request(port, "GET", "/editor").status == 200);

    // A static_dir without the client files is refused at start, naming the flag.
    auto empty = make_temp_dir();
    ServerProcess::Options bad;
    bad.args = {"--static-dir", empty};
    try {
        ServerProcess refused(bad);
        FAIL("the server started without its client files");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find("--static-dir") != std::string::npos);
    }
    std::filesystem::remove_all(empty);
}
