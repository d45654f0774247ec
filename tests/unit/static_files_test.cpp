#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "http/static_files.hpp"

namespace fs = std::filesystem;
using liveblog::content_type_for;
using liveblog::resolve_static_path;

namespace {

// base/outside.txt sits next to root/, so links can point out of root.
class StaticTree {
public:
    StaticTree() {
        base_ = fs::temp_directory_path() /
                ("liveblog-static-" + std::to_string(std::random_device{}()));
        fs::create_directories(root() / "js");
        fs::create_directories(root() / "css");
        write(base_ / "outside.txt");
        write(root() / "index.html");
        write(root() / "js" / "app.js");
        write(root() / "js" / ".secret.js");
        write(root() / "css" / "site.css");
        write(root() / ".hidden");
        write(root() / "100%.txt");
        write(root() / "a b.txt");
        fs::create_symlink(base_ / "outside.txt", root() / "link-out");
        fs::create_symlink("../outside.txt", root() / "relative-link-out");
        fs::create_directory_symlink(base_, root() / "dir-link-out");
        fs::create_symlink("index.html", root() / "link-in");
    }
    ~StaticTree() {
        std::error_code ec;
        fs::remove_all(base_, ec);
    }
    StaticTree(const StaticTree&) = delete;
    StaticTree& operator=(const StaticTree&) = delete;

    fs::path root() const { return base_ / "root"; }

private:
    static void write(const fs::path& p) { std::ofstream(p) << "x"; }
    fs::path base_;
};

}  // namespace

TEST_CASE("static paths that resolve", "[static_files]") {
    StaticTree tree;
    const fs::path root = fs::canonical(tree.root());
    struct Ok {
        const char* url;
        fs::path expected;
    };
    const Ok cases[] = {
        {"index.html", root / "index.html"},
        {"js/app.js", root / "js" / "app.js"},
        {"css/site.css", root / "css" / "site.css"},
        {"js%2fapp.js", root / "js" / "app.js"},
        {"%69ndex.html", root / "index.html"},
        {"100%25.txt", root / "100%.txt"},
        {"a%20b.txt", root / "a b.txt"},
        {"link-in", root / "index.html"},  // a link that stays inside is fine
    };
    for (const auto& c : cases) {
        INFO(c.url);
        const auto got = resolve_static_path(tree.root(), c.url);
        REQUIRE(got);
        CHECK(*got == c.expected);
    }
}

TEST_CASE("static paths that are refused", "[static_files]") {
    StaticTree tree;
    const char* cases[] = {
        "../etc/passwd",
        "..%2fetc%2fpasswd",
        "%2e%2e/x",
        "%2E%2E%2Foutside.txt",
        "js/../../x",
        "js/../index.html",  // harmless, but ".." is refused outright
        "../outside.txt",
        "/etc/passwd",
        "%2fetc/passwd",
        "js\\app.js",
        "js%5capp.js",
        "js/%00.js",
        "index.html%00.js",
        "js/app.js\n",
        "js/%0aapp.js",
        "js/%7f",
        ".hidden",
        "%2ehidden",
        "js/.secret.js",
        "./index.html",
        "js/./app.js",
        "js//app.js",
        "js/",
        "js",
        "",
        "link-out",
        "relative-link-out",
        "dir-link-out/outside.txt",
        "missing.html",
        "%zz",
        "%",
        "%4",
        "index.html%",
    };
    for (const char* url : cases) {
        INFO(url);
        CHECK_FALSE(resolve_static_path(tree.root(), url));
    }
    // Embedded NUL in the raw text, not just encoded.
    CHECK_FALSE(resolve_static_path(tree.root(), std::string_view("js/app.js\0x", 11)));
    CHECK_FALSE(resolve_static_path(tree.root() / "nonexistent", "index.html"));
}

TEST_CASE("content types by extension", "[static_files]") {
    const std::pair<const char*, const char*> cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"INDEX.HTML", "text/html; charset=utf-8"},
        {"js/app.js", "text/javascript; charset=utf-8"},
        {"js/app.mjs", "text/javascript; charset=utf-8"},
        {"css/site.css", "text/css; charset=utf-8"},
        {"data.json", "application/json"},
        {"app.js.map", "application/json"},
        {"logo.svg", "image/svg+xml"},
        {"a.png", "image/png"},
        {"a.jpg", "image/jpeg"},
        {"a.JPEG", "image/jpeg"},
        {"a.webp", "image/webp"},
        {"favicon.ico", "image/x-icon"},
        {"robots.txt", "text/plain; charset=utf-8"},
        {"font.woff2", "font/woff2"},
        {"archive.tar.gz", "application/octet-stream"},
        {"Makefile", "application/octet-stream"},
        {"dir.js/file", "application/octet-stream"},
    };
    for (const auto& [file, type] : cases) {
        INFO(file);
        CHECK(content_type_for(file) == type);
    }
}
