// Image uploads, lead images, related links and embed cards against the
// real server (docs/protocol.md "Media", "Embed cards"): real image files
// (tests/fixtures/images), real libvips, a real SQLite file, a local oEmbed
// provider on loopback.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <thread>

#include "support/editor.hpp"
#include "support/oembed_provider.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;
namespace fs = std::filesystem;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(LIVEBLOG_SOURCE_DIR) + "/tests/fixtures/images/" + name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Headers bearer(const std::string& content_type = {}) {
    Headers h{{"Authorization", "Bearer " + make_token("photo-desk", "editor")}};
    if (!content_type.empty()) h.emplace_back("Content-Type", content_type);
    return h;
}

HttpResult upload(unsigned short port, const std::string& bytes, const std::string& content_type = "image/jpeg") {
    return http_request(port, "POST", "/api/media", bytes, bearer(content_type));
}

json body_of(const HttpResult& r) { return json::parse(r.body); }
std::string code_of(const HttpResult& r) { return body_of(r)["error"]["code"]; }

// The ids stored under media_dir (its <id[0..2]>/<id> directories), and
// anything else there (a temporary directory left behind would show).
std::vector<std::string> stored_entries(const std::string& data_dir) {
    std::vector<std::string> out;
    const fs::path root = fs::path(data_dir) / "media";
    if (!fs::exists(root)) return out;
    for (const auto& shard : fs::directory_iterator(root))
        for (const auto& item : fs::directory_iterator(shard.path())) out.push_back(item.path().filename());
    std::sort(out.begin(), out.end());
    return out;
}

// JPEG markers up to the scan: every APPn segment (EXIF is APP1, XMP too,
// ICC is APP2, IPTC APP13) and COM.
std::vector<int> jpeg_metadata_markers(const std::string& jpeg) {
    std::vector<int> found;
    REQUIRE(jpeg.size() > 4);
    REQUIRE(static_cast<unsigned char>(jpeg[0]) == 0xFF);
    REQUIRE(static_cast<unsigned char>(jpeg[1]) == 0xD8);
    std::size_t i = 2;
    while (i + 4 <= jpeg.size()) {
        REQUIRE(static_cast<unsigned char>(jpeg[i]) == 0xFF);
        const int marker = static_cast<unsigned char>(jpeg[i + 1]);
        if (marker == 0xDA) break;  // start of scan: no metadata after
        const std::size_t len = (static_cast<unsigned char>(jpeg[i + 2]) << 8) | static_cast<unsigned char>(jpeg[i + 3]);
        if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) found.push_back(marker);
        i += 2 + len;
    }
    return found;
}

// A grayscale PNG of width x height whose pixel data is `rows` rows of
// zeros, compressed: a 15,000 x 15,000 one declares 225 million pixels in a
// few hundred bytes (what a decompression bomb looks like to its header).
std::string png_declaring(std::uint32_t width, std::uint32_t height, std::uint32_t rows) {
    const auto be32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                           static_cast<char>(v)};
    };
    const auto chunk = [&](const std::string& type, const std::string& data) {
        std::string body = type + data;
        const auto crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
        return be32(static_cast<std::uint32_t>(data.size())) + body + be32(static_cast<std::uint32_t>(crc));
    };
    std::string raw(static_cast<std::size_t>(rows) * (width + 1), '\0');
    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::string packed(packed_size, '\0');
    compress(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(raw.data()),
             static_cast<uLong>(raw.size()));
    packed.resize(packed_size);
    std::string ihdr = be32(width) + be32(height) + std::string{8, 0, 0, 0, 0};  // 8-bit gray
    return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", packed) + chunk("IEND", "");
}

// An upload whose head is sent and whose body is held back: what a slow
// (or hostile) client does to keep a slot.
class HeldUpload {
public:
    HeldUpload(unsigned short port, const std::string& head) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::send(fd_, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size()));
    }
    ~HeldUpload() { ::close(fd_); }
    // Whatever the server sent within `ms` (empty: it is waiting for the body).
    std::string answer_within(int ms) {
        std::string got;
        char buf[4096];
        pollfd p{fd_, POLLIN, 0};
        while (::poll(&p, 1, ms) > 0) {
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
            ms = 100;
        }
        return got;
    }

private:
    int fd_ = -1;
};

std::string upload_head(const std::string& authorization, std::size_t length) {
    return "POST /api/media HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n" +
           (authorization.empty() ? std::string() : "Authorization: " + authorization + "\r\n") +
           "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

json story_of(unsigned short port, const std::string& story) {
    auto r = http_request(port, "GET", "/api/stories/" + story);
    REQUIRE(r.status == 200);
    return body_of(r)["story"];
}

std::string page_of(unsigned short port, const std::string& story) {
    auto r = http_request(port, "GET", "/stories/" + story);
    REQUIRE(r.status == 200);
    return r.body;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("uploads: every accepted format is decoded, re-encoded at its widths and served immutable") {
    ServerProcess server;
    struct Case {
        const char* file;
        const char* format;
        unsigned width, height;
        std::vector<unsigned> widths;
    };
    const Case cases[] = {
        {"photo.jpg", "jpeg", 1200, 800, {320, 640, 1024, 1200}},
        {"photo.png", "png", 300, 200, {300}},
        {"photo-alpha.png", "png", 300, 200, {300}},
        {"photo.gif", "gif", 300, 200, {300}},
        {"photo.webp", "webp", 600, 400, {320, 600}},
        {"photo.avif", "avif", 600, 400, {320, 600}},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        // The Content-Type says nothing true: the bytes decide.
        auto r = upload(server.port(), fixture(c.file), "application/octet-stream");
        REQUIRE(r.status == 201);
        json m = body_of(r)["media"];
        CHECK(body_of(r)["duplicate"] == false);
        CHECK(m["format"] == c.format);
        CHECK(m["width"] == c.width);
        CHECK(m["height"] == c.height);
        CHECK(m["widths"].get<std::vector<unsigned>>() == c.widths);
        CHECK(m["bytes"] == fixture(c.file).size());
        const std::string id = m["id"];
        CHECK(id.size() == 32);
        for (unsigned w : c.widths) {
            auto webp = http_request(server.port(), "GET", "/media/" + id + "/" + std::to_string(w) + ".webp");
            REQUIRE(webp.status == 200);
            CHECK(webp.header("Content-Type") == "image/webp");
            CHECK(webp.body.substr(0, 4) == "RIFF");
            CHECK(webp.body.substr(8, 4) == "WEBP");
            CHECK(webp.header("Cache-Control") == "public, max-age=31536000, immutable");
            CHECK(webp.header("X-Content-Type-Options") == "nosniff");
            auto jpg = http_request(server.port(), "GET", "/media/" + id + "/" + std::to_string(w) + ".jpg");
            REQUIRE(jpg.status == 200);
            CHECK(jpg.header("Content-Type") == "image/jpeg");
            CHECK(jpeg_metadata_markers(jpg.body).empty());
            // The second answer comes from the file cache: the same bytes.
            auto cached = http_request(server.port(), "GET", "/media/" + id + "/" + std::to_string(w) + ".jpg");
            CHECK(cached.body == jpg.body);
            CHECK(cached.header("Content-Type") == "image/jpeg");
            // Revalidation costs nothing: the name is the version.
            auto again = http_request(server.port(), "GET", "/media/" + id + "/" + std::to_string(w) + ".jpg", "",
                                      {{"If-None-Match", jpg.header("ETag")}});
            CHECK(again.status == 304);
        }
        CHECK(m["src"] == "/media/" + id + "/" + std::to_string(c.widths.back() <= 1024 ? c.widths.back() : 1024) + ".jpg");
        CHECK(http_request(server.port(), "GET", "/media/" + id + "/999.jpg").status == 404);
        CHECK(http_request(server.port(), "GET", "/media/" + id + "/meta.json").status == 404);
    }
    CHECK(stored_entries(server.data_dir()).size() == std::size(cases));
}

TEST_CASE("uploads: decoding is the check - wrong names, other formats, truncated files and bombs store nothing") {
    ServerProcess server;
    const auto port = server.port();

    // A PNG named .jpg and sent as image/jpeg is a PNG.
    auto png = upload(port, fixture("png-named.jpg"), "image/jpeg");
    REQUIRE(png.status == 201);
    CHECK(body_of(png)["media"]["format"] == "png");

    for (const char* file : {"photo.tiff", "drawing.svg", "notes.txt"}) {
        INFO(file);
        auto r = upload(port, fixture(file));
        CHECK(r.status == 415);
        CHECK(code_of(r) == "unsupported_image");
    }
    auto truncated = upload(port, fixture("truncated.jpg"));
    CHECK(truncated.status == 422);
    CHECK(code_of(truncated) == "invalid_image");
    // 20,000 x 20,000 pixels in 389 KB: refused on its header, never decoded.
    auto bomb = upload(port, fixture("bomb.png"), "image/png");
    CHECK(bomb.status == 413);
    CHECK(code_of(bomb) == "media_too_large");
    // Inside the side limit, but 225 million pixels: refused on the pixel limit.
    const std::string declared = png_declaring(15000, 15000, 2);
    REQUIRE(declared.size() < 2000);
    auto pixels = upload(port, declared, "image/png");
    CHECK(pixels.status == 413);
    CHECK(code_of(pixels) == "media_too_large");
    CHECK(contains(pixels.body, "15000 x 15000 pixels: over 60000000 in all"));
    // A small image with the same make-up is taken: the limit, not the shape, refused it.
    CHECK(upload(port, png_declaring(40, 30, 30), "image/png").status == 201);
    auto frames = upload(port, fixture("many-frames.gif"), "image/gif");
    CHECK(frames.status == 413);
    CHECK(code_of(frames) == "media_too_large");
    CHECK(contains(frames.body, "200 frames"));

    // Only the two PNGs taken are there, and no temporary directory was left behind.
    CHECK(stored_entries(server.data_dir()).size() == 2);
    for (const auto& name : stored_entries(server.data_dir())) CHECK(name.size() == 32);
    // And the server serves everyone else as before.
    CHECK(http_request(port, "GET", "/healthz").status == 200);
}

TEST_CASE("uploads: a pixel limit below the image refuses it too") {
    ServerProcess server({"--max-image-pixels", "500000"});
    auto r = upload(server.port(), fixture("photo.jpg"));  // 1200 x 800 = 960,000
    CHECK(r.status == 413);
    CHECK(code_of(r) == "media_too_large");
    CHECK(stored_entries(server.data_dir()).empty());
}

TEST_CASE("uploads: GPS, camera and author metadata are gone and the orientation is in the pixels") {
    ServerProcess server;
    const std::string original = fixture("photo-gps.jpg");
    REQUIRE(contains(original, "Exif"));  // the fixture does carry them
    REQUIRE(contains(original, "Jane Reporter"));
    auto r = upload(server.port(), original);
    REQUIRE(r.status == 201);
    json m = body_of(r)["media"];
    // 1200 x 800 with Orientation 6: displayed as 800 x 1200.
    CHECK(m["width"] == 800);
    CHECK(m["height"] == 1200);
    const std::string dir = server.data_dir() + "/media/" + m["id"].get<std::string>().substr(0, 2) + "/" +
                            m["id"].get<std::string>();
    int files = 0;
    for (const auto& f : fs::directory_iterator(dir)) {
        if (f.path().filename() == "meta.json") continue;
        ++files;
        std::ifstream in(f.path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        const std::string bytes = s.str();
        INFO(f.path().filename());
        for (const char* needle : {"Exif", "GPS", "Jane Reporter", "TestCam", "http://ns.adobe.com/xap"})
            CHECK_FALSE(contains(bytes, needle));
        if (f.path().extension() == ".jpg") CHECK(jpeg_metadata_markers(bytes).empty());
    }
    CHECK(files == 6);  // 320, 640, 800 in two formats; never the original
}

TEST_CASE("uploads: the same file twice is stored once") {
    ServerProcess server;
    auto first = upload(server.port(), fixture("photo.webp"));
    auto second = upload(server.port(), fixture("photo.webp"));
    REQUIRE(first.status == 201);
    REQUIRE(second.status == 200);
    CHECK(body_of(second)["duplicate"] == true);
    CHECK(body_of(second)["media"]["id"] == body_of(first)["media"]["id"]);
    CHECK(stored_entries(server.data_dir()).size() == 1);
}

TEST_CASE("uploads: size limits, credentials and empty bodies get their codes; other bodies keep their limit") {
    ServerProcess server({"--max-upload-bytes", "100000"});
    const auto port = server.port();
    auto big = upload(port, fixture("photo.jpg"));  // 325 KB
    CHECK(big.status == 413);
    CHECK(code_of(big) == "too_large");
    CHECK(http_request(port, "POST", "/api/media", fixture("photo.png"), {{"Content-Type", "image/png"}}).status == 401);
    CHECK(http_request(port, "POST", "/api/media", fixture("photo.png"),
                       {{"Authorization", "Bearer " + make_token("x", "editor", {}, -10)}})
              .status == 401);
    auto empty = upload(port, "");
    CHECK(empty.status == 400);
    CHECK(code_of(empty) == "bad_request");
    CHECK(upload(port, fixture("photo.png")).status == 201);  // 83 KB: under the limit
    // A JSON route still takes at most max_request_body_bytes (1 MiB), though uploads may be larger.
    ServerProcess large_uploads({"--max-upload-bytes", "5000000"});
    auto json_body = http_request(large_uploads.port(), "POST", "/api/stories", std::string(2 << 20, ' '),
                                  bearer("application/json"));
    CHECK(json_body.status == 413);
    CHECK(code_of(json_body) == "too_large");
    CHECK(http_request(large_uploads.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("uploads: credentials are checked on the head, before any body is read; slots are bounded") {
    ServerProcess server({"--max-queued-media", "1"});
    const auto port = server.port();
    // No credentials, or expired ones: the answer comes at once, the 5 MB never sent.
    {
        HeldUpload anonymous(port, upload_head("", 5'000'000));
        const std::string answer = anonymous.answer_within(3000);
        CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
        CHECK(contains(answer, "\"unauthorized\""));
    }
    {
        HeldUpload expired(port, upload_head("Bearer " + make_token("x", "editor", {}, -10), 5'000'000));
        const std::string answer = expired.answer_within(3000);
        CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
        CHECK(contains(answer, "\"token_expired\""));
    }
    // A signed-in editor holding the one slot (head sent, body held back)...
    const std::string auth = "Bearer " + make_token("slow-link", "editor");
    {
        HeldUpload held(port, upload_head(auth, 300'000));
        CHECK(held.answer_within(500).empty());  // the server waits for the body
        // ...makes the next upload wait for nothing: 503 overloaded, retryable.
        auto busy = upload(port, fixture("photo.png"));
        CHECK(busy.status == 503);
        CHECK(code_of(busy) == "overloaded");
        CHECK(busy.header("Retry-After") == "2");
        CHECK(http_request(port, "GET", "/healthz").status == 200);  // everyone else is served
    }
    // Its connection gone, the slot is free again.
    int status = 0;
    for (int i = 0; i < 50 && status != 201; ++i) {
        status = upload(port, fixture("photo.png")).status;
        if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(status == 201);
}

TEST_CASE("media blocks: the server sets the size from the upload, refuses unknown ids, pages emit picture and srcset") {
    ServerProcess server;
    const auto port = server.port();
    Editor editor(port);
    editor.create_story("photos", "Photos");
    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "photos"}});
    reader.recv_type("subscribed");

    const std::string id = body_of(upload(port, fixture("photo.jpg")))["media"]["id"];
    // The client's width, height and widths are replaced by the store's.
    json ack = editor.command({{"type", "post_entry"}, {"story", "photos"},
                               {"blocks", {{{"type", "image"}, {"media", id}, {"alt", "La digue rompue"},
                                            {"caption", "Vers 6 h."}, {"credit", "AFP"}, {"width", 1},
                                            {"height", 1}, {"widths", {99999}}}}}});
    REQUIRE(ack["type"] == "ack");
    json block = reader.recv_type("event")["entry"]["blocks"][0];
    CHECK(block["media"] == id);
    CHECK(block["width"] == 1200);
    CHECK(block["height"] == 800);
    CHECK(block["widths"] == json({320, 640, 1024, 1200}));
    CHECK_FALSE(block.contains("src"));

    json unknown = editor.command({{"type", "post_entry"}, {"story", "photos"},
                                   {"blocks", {{{"type", "image"}, {"media", std::string(32, 'a')}, {"alt", "x"}}}}});
    CHECK(unknown["code"] == "invalid_content");
    CHECK(unknown["message"] == "blocks[0].media: no such media: upload it first");
    json both = editor.command({{"type", "post_entry"}, {"story", "photos"},
                                {"blocks", {{{"type", "image"}, {"media", id}, {"src", "https://e.org/a.jpg"}, {"alt", "x"}}}}});
    CHECK(both["code"] == "invalid_content");
    json bad_id = editor.command({{"type", "post_entry"}, {"story", "photos"},
                                  {"blocks", {{{"type", "image"}, {"media", "../../etc/passwd"}, {"alt", "x"}}}}});
    CHECK(bad_id["code"] == "invalid_content");

    const std::string page = page_of(port, "photos");
    const std::string base = "/media/" + id + "/";
    CHECK(contains(page, "<figure><picture><source type=\"image/webp\" srcset=\"" + base + "320.webp 320w, " + base +
                             "640.webp 640w, " + base + "1024.webp 1024w, " + base + "1200.webp 1200w\" sizes=\"(min-width: 44rem) 42rem, calc(100vw - 2rem)\">"));
    CHECK(contains(page, "<img src=\"" + base + "1024.jpg\" srcset=\"" + base + "320.jpg 320w, "));
    CHECK(contains(page, "alt=\"La digue rompue\" width=\"1200\" height=\"800\" loading=\"lazy\" decoding=\"async\"></picture>"));
    CHECK(contains(page, "<figcaption>Vers 6 h. <span class=\"credit\">AFP</span></figcaption>"));
    CHECK(contains(page, "\"image\":\"" + base + "1200.jpg\""));  // the entry's JSON-LD
}

TEST_CASE("lead image and related links: set over WebSocket and REST, pushed live, on the page and in JSON-LD, kept across kill -9") {
    ServerProcess server;
    auto port = server.port();
    Editor editor(port);
    editor.create_story("crue", "La crue");
    const std::string id = body_of(upload(port, fixture("photo.jpg")))["media"]["id"];
    WsClient reader(port);
    reader.send({{"type", "subscribe"}, {"story", "crue"}});
    reader.recv_type("subscribed");

    json ack = editor.command({{"type", "update_story"}, {"story", "crue"},
                               {"lead_image", {{"media", id}, {"alt", "La vallée sous l'eau"}, {"credit", "Reuters"}}},
                               {"related", {{{"title", "Notre enquête sur la digue"}, {"url", "https://example.org/digue"}},
                                            {{"title", "Les images de la nuit"}, {"url", "https://example.org/nuit"}}}}});
    REQUIRE(ack["type"] == "ack");
    json ev = reader.recv_type("event");
    CHECK(ev["op"] == "story.updated");
    CHECK(ev["story_state"]["lead_image"]["media"] == id);
    CHECK(ev["story_state"]["lead_image"]["width"] == 1200);
    CHECK(ev["story_state"]["related"].size() == 2);

    // Refusals name the field.
    json eleven = json::array();
    for (int i = 0; i < 11; ++i) eleven.push_back({{"title", "t"}, {"url", "https://example.org/" + std::to_string(i)}});
    CHECK(editor.command({{"type", "update_story"}, {"story", "crue"}, {"related", eleven}})["message"] ==
          "related: at most 10 links");
    CHECK(editor.command({{"type", "update_story"}, {"story", "crue"},
                          {"related", {{{"title", "x"}, {"url", "javascript:alert(1)"}}}}})["message"] ==
          "related[0].url: must be an http(s) URL");
    CHECK(editor.command({{"type", "update_story"}, {"story", "crue"}, {"lead_image", {{"media", id}}}})["message"] ==
          "lead_image.alt: required string");

    // REST: the same fields, on PATCH and GET.
    auto patch = http_request(port, "PATCH", "/api/stories/crue",
                              json{{"related", {{{"title", "Carte des zones inondées"}, {"url", "https://example.org/carte"}}}}}.dump(),
                              bearer("application/json"));
    REQUIRE(patch.status == 200);
    CHECK(reader.recv_type("event")["story_state"]["related"][0]["title"] == "Carte des zones inondées");
    json story = story_of(port, "crue");
    CHECK(story["lead_image"]["credit"] == "Reuters");
    CHECK(story["related"].size() == 1);

    auto check_page = [&](unsigned short p) {
        const std::string page = page_of(p, "crue");
        CHECK(contains(page, "<div id=\"story-lead\" class=\"story-lead\"><figure class=\"lead-image\"><picture>"));
        CHECK(contains(page, "alt=\"La vallée sous l&#39;eau\" width=\"1200\" height=\"800\" fetchpriority=\"high\" decoding=\"async\">"));
        CHECK(contains(page, "<aside id=\"related\" class=\"related\" aria-labelledby=\"related-title\"><h2 id=\"related-title\">À suivre aussi</h2>"
                             "<ul><li><a href=\"https://example.org/carte\">Carte des zones inondées</a></li></ul></aside>"));
        CHECK(contains(page, "\"image\":\"/media/" + id + "/1200.jpg\""));
        CHECK(contains(page, "\"relatedLink\":[\"https://example.org/carte\"]"));
    };
    check_page(port);

    // Acknowledged, so durable: kill -9 and start again on the same SQLite file.
    server.kill9();
    server.start();
    check_page(server.port());

    // null and [] clear them; the page keeps the (empty, hidden) places for live updates.
    Editor again(server.port());
    REQUIRE(again.command({{"type", "update_story"}, {"story", "crue"}, {"lead_image", nullptr}, {"related", json::array()}})["type"] == "ack");
    json cleared = story_of(server.port(), "crue");
    CHECK_FALSE(cleared.contains("lead_image"));
    CHECK_FALSE(cleared.contains("related"));
    const std::string page = page_of(server.port(), "crue");
    CHECK(contains(page, "<div id=\"story-lead\" class=\"story-lead\"></div>"));
    CHECK(contains(page, "<aside id=\"related\" class=\"related\" aria-labelledby=\"related-title\" hidden>"));
    CHECK_FALSE(contains(page, "relatedLink"));
}

TEST_CASE("embed cards: captured from a local oEmbed provider, thumbnail re-hosted, no provider script on the page") {
    OembedProvider provider;
    const json providers = json::array({{{"name", "Testsocial"}, {"endpoint", provider.origin() + "/oembed"},
                                         {"schemes", {"https://social.example/*"}}}});
    ServerProcess server({"--oembed-providers", providers.dump()});
    const auto port = server.port();
    auto r = http_request(port, "POST", "/api/embeds", json{{"url", "https://social.example/p/1"}}.dump(),
                          bearer("application/json"));
    REQUIRE(r.status == 200);
    json answer = body_of(r);
    CHECK(answer["resolved"] == true);
    json card = answer["block"]["card"];
    CHECK(card["provider"] == "Testsocial");
    CHECK(card["author"] == "Jane Reporter");
    CHECK(card["author_url"] == "https://social.example/jane");
    CHECK(card["text"] == "Hello from the test & the flood\nsecond line");  // tags and script gone, entities decoded
    CHECK(card["date"] == "December 7, 2026");
    const std::string thumb = card["thumbnail"]["media"];
    CHECK(card["thumbnail"]["width"] == 600);
    // Re-hosted: served from our /media/, so a reader's browser never asks the provider.
    CHECK(http_request(port, "GET", "/media/" + thumb + "/320.webp").status == 200);

    // The returned block posts as it is, and renders as a static card.
    Editor editor(port);
    editor.create_story("social", "Réseaux");
    REQUIRE(editor.command({{"type", "post_entry"}, {"story", "social"}, {"blocks", {answer["block"]}}})["type"] == "ack");
    const std::string page = page_of(port, "social");
    CHECK(contains(page, "<figure class=\"embed-card\"><a class=\"embed-thumb\" href=\"https://social.example/p/1\""));
    CHECK(contains(page, "<blockquote cite=\"https://social.example/p/1\"><p>Hello from the test &amp; the flood</p><p>second line</p></blockquote>"));
    CHECK(contains(page, "<span class=\"embed-author\">Jane Reporter</span> <span class=\"embed-provider\">Testsocial</span> "
                         "<a class=\"embed-link\" href=\"https://social.example/p/1\" rel=\"nofollow noopener noreferrer\">December 7, 2026</a>"));
    CHECK_FALSE(contains(page, "widgets.js"));
    CHECK_FALSE(contains(page, "alert(1)"));

    // A card that is not what the provider said is refused like any content.
    json forged = answer["block"];
    forged["card"]["thumbnail"] = {{"src", "https://tracker.example/pixel.gif"}};
    CHECK(editor.command({{"type", "post_entry"}, {"story", "social"}, {"blocks", {forged}}})["code"] == "invalid_content");

    // No provider, not http: a plain link card, or a refusal.
    json none = body_of(http_request(port, "POST", "/api/embeds", json{{"url", "https://elsewhere.example/x"}}.dump(),
                                     bearer("application/json")));
    CHECK(none["resolved"] == false);
    CHECK(none["problem"] == "no oEmbed provider for this address");
    CHECK(none["block"] == json({{"type", "embed"}, {"url", "https://elsewhere.example/x"}}));
    auto ftp = http_request(port, "POST", "/api/embeds", json{{"url", "ftp://social.example/p/1"}}.dump(),
                            bearer("application/json"));
    CHECK(ftp.status == 400);
    CHECK(code_of(ftp) == "invalid_content");
    CHECK(http_request(port, "POST", "/api/embeds", json{{"url", "https://social.example/p/1"}}.dump(),
                       {{"Content-Type", "application/json"}}).status == 401);
}

TEST_CASE("embed cards: slow, huge and redirecting providers leave a link card; private addresses need the switch") {
    OembedProvider provider;
    OembedProvider redirector;
    const json providers = json::array({
        {{"name", "Slow"}, {"endpoint", provider.origin() + "/slow"}, {"schemes", {"https://slow.example/*"}}},
        {{"name", "Huge"}, {"endpoint", provider.origin() + "/huge"}, {"schemes", {"https://huge.example/*"}}},
        // Configured by another name than the address it redirects to: that
        // address is not a trusted origin (nor is any other configured
        // endpoint on its port: it is a server of its own).
        {{"name", "Redirector"}, {"endpoint", redirector.origin("localhost") + "/redirect"},
         {"schemes", {"https://redirect.example/*"}}},
    });
    const auto capture = [](unsigned short port, const std::string& url) {
        auto r = http_request(port, "POST", "/api/embeds", json{{"url", url}}.dump(), bearer("application/json"));
        REQUIRE(r.status == 200);
        return body_of(r);
    };
    {
        ServerProcess server({"--oembed-providers", providers.dump(), "--embed-fetch-timeout-s", "1"});
        const auto started = std::chrono::steady_clock::now();
        json slow = capture(server.port(), "https://slow.example/p/1");
        const auto took = std::chrono::steady_clock::now() - started;
        CHECK(slow["resolved"] == false);
        CHECK(slow["problem"] == "Slow: timed out");
        CHECK(took < std::chrono::seconds(5));
        json huge = capture(server.port(), "https://huge.example/p/1");
        CHECK(huge["resolved"] == false);
        CHECK(contains(huge["problem"], "over 1048576 bytes"));
        json redirected = capture(server.port(), "https://redirect.example/p/1");
        CHECK(redirected["resolved"] == false);
        CHECK(redirected["problem"] == "Redirector: refused: 127.0.0.1 is a private or loopback address (127.0.0.1)");
        CHECK(redirected["block"] == json({{"type", "embed"}, {"url", "https://redirect.example/p/1"}}));
        CHECK(http_request(server.port(), "GET", "/healthz").status == 200);
    }
    {
        ServerProcess server({"--oembed-providers", providers.dump(), "--embed-fetch-allow-private"});
        json redirected = capture(server.port(), "https://redirect.example/p/1");
        CHECK(redirected["resolved"] == true);
        CHECK(redirected["block"]["card"]["provider"] == "Testsocial");
    }
}
