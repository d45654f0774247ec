#include "cli/install_paths.hpp"

#include <stdexcept>
#include <system_error>

namespace liveblog {

namespace fs = std::filesystem;

namespace {

// What a usable client directory holds.
constexpr const char* required_files[] = {"js/reader-page.js", "js/liveblog-client.js", "editor.html"};

bool holds_client(const fs::path& dir) {
    std::error_code ec;
    for (const char* f : required_files)
        if (!fs::is_regular_file(dir / f, ec)) return false;
    return true;
}

}  // namespace

fs::path executable_dir() {
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    return exe.parent_path();
}

fs::path default_static_dir() {
    const fs::path bin = executable_dir();
    if (bin.empty()) return {};
    for (const fs::path& candidate : {bin / ".." / "share" / "liveblog" / "client", bin / ".." / "client-demo"}) {
        std::error_code ec;
        if (holds_client(candidate)) return fs::weakly_canonical(candidate, ec);
    }
    return {};
}

void check_static_dir(const fs::path& dir) {
    if (dir.empty())
        throw std::runtime_error(
            "static_dir: no client files beside the executable (../share/liveblog/client or ../client-demo); "
            "name them with --static-dir DIR");
    std::error_code ec;
    for (const char* f : required_files)
        if (!fs::is_regular_file(dir / f, ec))
            throw std::runtime_error("static_dir: " + (dir / f).string() +
                                     " is missing; --static-dir must name the client files (client-demo/ in a "
                                     "checkout, share/liveblog/client when installed)");
}

}  // namespace liveblog
