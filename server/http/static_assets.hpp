#pragma once
// The client files (the console, the reader page's scripts and styles),
// read once at start: each file's bytes, its gzip and brotli forms (made at
// the best levels, once) and its content hash. Answers then come from memory.
//
// Versioned URLs: url("js/reader-page.js") is "/static/js/reader-page.js?v=<hash>".
// A request with the current ?v= is answered "immutable, max-age=1y": the
// URL changes when the file does. Without it (or with an old one) the answer
// is revalidated (a short max-age and the hash as ETag). ES modules import
// each other by relative paths; import_map() maps every script to its
// versioned URL, so a page that carries it loads the whole module graph
// versioned. HTML files are rewritten at load: their /static/ references
// become versioned and the import map goes before their first module script.
//
// Invariant: after construction nothing changes (no lock needed). A file
// edited on disk is served as it was at start until the server restarts.
// Files larger than max_file_bytes, or past max_total_bytes, are not held:
// those are read from disk per request (http/static_files rules).

#include <filesystem>
#include <map>
#include <string>

#include "http/encoded_response.hpp"

namespace liveblog {

class StaticAssets {
public:
    static constexpr std::size_t max_file_bytes = 4 << 20;
    static constexpr std::size_t max_total_bytes = 64 << 20;

    // An empty or unreadable root holds nothing (every lookup misses).
    explicit StaticAssets(const std::filesystem::path& root, bool compress = true);

    struct Asset {
        std::string hash;             // 12 hex digits of the SHA-256 of the bytes as served
        EncodedResponsePtr revalidated;  // short max-age, ETag = hash
        EncodedResponsePtr immutable;    // for the current ?v=
    };
    // `relative` is percent-decoded and safe (resolve_static_path's rules).
    const Asset* find(const std::string& relative) const;

    // "/static/<relative>?v=<hash>", or "/static/<relative>" for a file not held.
    std::string url(const std::string& relative) const;
    // {"imports":{"/static/js/x.js":"/static/js/x.js?v=...",...}}
    const std::string& import_map() const { return import_map_; }
    const std::filesystem::path& root() const { return root_; }
    std::size_t bytes() const { return bytes_; }

private:
    void load(const std::filesystem::path& file, const std::string& relative, bool compress);
    std::string rewrite_html(std::string html) const;

    std::filesystem::path root_;
    std::map<std::string, Asset> assets_;
    std::string import_map_;
    std::size_t bytes_ = 0;
};

}  // namespace liveblog
