#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "http/static_assets.hpp"

using namespace liveblog;
namespace fs = std::filesystem;

namespace {

struct Tree {
    fs::path root = fs::temp_directory_path() / ("liveblog-assets-" + std::to_string(std::random_device{}()));
    Tree() {
        fs::create_directories(root / "js");
        fs::create_directories(root / "css");
        fs::create_directories(root / ".git");
        write("js/app.js", "import { x } from './lib.js';\n" + std::string(3000, '/') + "\n");
        write("js/lib.js", "export const x = 1;\n");
        write("css/site.css", "body { color: #111; }\n");
        write(".git/config", "secret\n");
        write(".env", "secret\n");
        write("index.html",
              "<!doctype html><link rel=\"stylesheet\" href=\"/static/css/site.css\">"
              "<img src=\"/static/missing.png\"><script type=\"module\" src=\"/static/js/app.js\"></script>");
    }
    ~Tree() { fs::remove_all(root); }
    void write(const std::string& rel, const std::string& text) { std::ofstream(root / rel) << text; }
};

}  // namespace

TEST_CASE("static assets: held in memory with hashed URLs, hidden files never", "[static]") {
    Tree t;
    StaticAssets assets(t.root);
    auto* app = assets.find("js/app.js");
    REQUIRE(app);
    CHECK(app->hash.size() == 12);
    CHECK(assets.url("js/app.js") == "/static/js/app.js?v=" + app->hash);
    CHECK(assets.url("js/none.js") == "/static/js/none.js");
    CHECK(app->immutable->cache_control == "public, max-age=31536000, immutable");
    CHECK(app->revalidated->cache_control == "public, max-age=60");
    CHECK(app->revalidated->etag == "\"" + app->hash + "\"");
    CHECK_FALSE(app->revalidated->br.empty());  // precompressed
    CHECK(assets.find(".env") == nullptr);
    CHECK(assets.find(".git/config") == nullptr);
    CHECK(assets.find("js/../js/app.js") == nullptr);

    // The import map versions every module.
    auto map = nlohmann::json::parse(assets.import_map());
    CHECK(map["imports"]["/static/js/lib.js"] == assets.url("js/lib.js"));
    CHECK(map["imports"]["/static/js/app.js"] == assets.url("js/app.js"));

    // HTML: references versioned, the import map before the first module script.
    auto* page = assets.find("index.html");
    REQUIRE(page);
    const std::string& html = page->revalidated->identity;
    CHECK(html.find("href=\"" + assets.url("css/site.css") + "\"") != std::string::npos);
    CHECK(html.find("src=\"/static/missing.png\"") != std::string::npos);
    auto im = html.find("<script type=\"importmap\">");
    auto mod = html.find("<script type=\"module\" src=\"" + assets.url("js/app.js") + "\">");
    REQUIRE(im != std::string::npos);
    REQUIRE(mod != std::string::npos);
    CHECK(im < mod);
    CHECK(page->revalidated->cache_control == "no-cache");
}

TEST_CASE("static assets: the hash follows the content", "[static]") {
    Tree t;
    std::string before = StaticAssets(t.root).find("js/lib.js")->hash;
    CHECK(StaticAssets(t.root).find("js/lib.js")->hash == before);
    t.write("js/lib.js", "export const x = 2;\n");
    StaticAssets after(t.root);
    CHECK(after.find("js/lib.js")->hash != before);
    // app.js itself did not change, and its URL does not either (the import map carries lib's).
    CHECK(after.find("js/app.js")->hash == StaticAssets(t.root).find("js/app.js")->hash);
}

TEST_CASE("static assets: a missing root holds nothing", "[static]") {
    StaticAssets none("/nonexistent/liveblog");
    CHECK(none.find("js/app.js") == nullptr);
    CHECK(none.url("js/app.js") == "/static/js/app.js");
}
