#include "http/static_assets.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <fstream>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log.hpp"
#include "http/static_files.hpp"

namespace liveblog {

namespace fs = std::filesystem;

namespace {

std::string short_hash(const std::string& bytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 6; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

bool read_file(const fs::path& p, std::string& out) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), {});
    return static_cast<bool>(in) || in.eof();
}

bool is_html(const std::string& relative) { return relative.ends_with(".html") || relative.ends_with(".htm"); }

}  // namespace

StaticAssets::StaticAssets(const fs::path& root, bool compress) : root_(root) {
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec)) return;
    // Every regular file the request path rules would serve, in a stable order.
    std::vector<std::pair<std::string, fs::path>> files;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.empty() && name.front() == '.') {  // hidden: never served
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec)) continue;
        const std::string relative = it->path().lexically_relative(root).generic_string();
        if (auto resolved = resolve_static_path(root, relative)) files.emplace_back(relative, *resolved);
    }
    std::sort(files.begin(), files.end());
    // Scripts and styles first: HTML refers to them by their versioned URLs.
    for (auto& [relative, path] : files)
        if (!is_html(relative)) load(path, relative, compress);
    nlohmann::json imports = nlohmann::json::object();
    for (auto& [relative, asset] : assets_)
        if (relative.ends_with(".js") || relative.ends_with(".mjs")) imports["/static/" + relative] = url(relative);
    import_map_ = nlohmann::json{{"imports", imports}}.dump();
    for (auto& [relative, path] : files)
        if (is_html(relative)) load(path, relative, compress);
    log_info("static: ", assets_.size(), " files from ", root.string(), " (", bytes_ / 1024, " KiB, precompressed)");
}

void StaticAssets::load(const fs::path& file, const std::string& relative, bool compress) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec || size > max_file_bytes || bytes_ + size > max_total_bytes) return;
    std::string bytes;
    if (!read_file(file, bytes)) return;
    if (is_html(relative)) bytes = rewrite_html(std::move(bytes));
    Asset a;
    a.hash = short_hash(bytes);
    const std::string type(content_type_for(file));
    const std::string etag = "\"" + a.hash + "\"";
    // An HTML page is where versioned URLs start: always revalidated.
    a.revalidated = encode_response(200, bytes, type, etag, is_html(relative) ? "no-cache" : "public, max-age=60",
                                    compress, per_start_levels);
    auto immutable = std::make_shared<EncodedResponse>(*a.revalidated);
    immutable->cache_control = "public, max-age=31536000, immutable";
    a.immutable = std::move(immutable);
    bytes_ += a.revalidated->bytes();
    assets_.emplace(relative, std::move(a));
}

const StaticAssets::Asset* StaticAssets::find(const std::string& relative) const {
    auto it = assets_.find(relative);
    return it == assets_.end() ? nullptr : &it->second;
}

std::string StaticAssets::url(const std::string& relative) const {
    auto* a = find(relative);
    return "/static/" + relative + (a ? "?v=" + a->hash : "");
}

std::string StaticAssets::rewrite_html(std::string html) const {
    // Attribute values "/static/<file>" of files held become versioned.
    constexpr std::string_view marker = "\"/static/";
    std::string out;
    out.reserve(html.size() + import_map_.size() + 256);
    std::size_t pos = 0;
    while (true) {
        auto at = html.find(marker, pos);
        if (at == std::string::npos) break;
        auto start = at + marker.size();
        auto end = html.find_first_of("\"?#", start);
        if (end == std::string::npos) break;
        std::string relative = html.substr(start, end - start);
        out.append(html, pos, at + 1 - pos);
        out += find(relative) && html[end] == '"' ? url(relative) : "/static/" + relative;
        pos = end;
    }
    out.append(html, pos);
    // The import map must come before the first module script.
    auto first_module = out.find("<script type=\"module\"");
    if (first_module != std::string::npos && import_map_ != "{\"imports\":{}}")
        out.insert(first_module, "<script type=\"importmap\">" + import_map_ + "</script>\n");
    return out;
}

}  // namespace liveblog
