#include "media/directory_media_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/random.hpp"

namespace liveblog::media {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void io_failure(const std::string& what, const std::string& path) {
    throw std::runtime_error("media store: " + what + " " + path + ": " + std::strerror(errno));
}

// Writes `bytes` to `path` and fsyncs it: after rename, the data is there.
void write_synced(const std::string& path, std::string_view bytes) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) io_failure("cannot create", path);
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            io_failure("cannot write", path);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        io_failure("cannot sync", path);
    }
    ::close(fd);
}

void sync_directory(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) io_failure("cannot open", path);
    ::fsync(fd);  // best effort: some filesystems refuse fsync on directories
    ::close(fd);
}

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad()) throw std::runtime_error("media store: cannot read " + path);
    return std::move(out).str();
}

// "640.webp" / "1024.jpg": digits, then one of the two extensions. Anything
// else (dots, slashes) never reaches the filesystem.
std::optional<std::uint32_t> width_of_name(std::string_view name) {
    std::string_view digits;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".webp") digits = name.substr(0, name.size() - 5);
    else if (name.size() > 4 && name.substr(name.size() - 4) == ".jpg") digits = name.substr(0, name.size() - 4);
    else return std::nullopt;
    if (digits.empty() || digits.size() > 5 || digits.front() == '0') return std::nullopt;
    std::uint32_t w = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        w = w * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return w;
}

}  // namespace

DirectoryMediaStore::DirectoryMediaStore(std::string root) : root_(std::move(root)) {
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec) throw std::runtime_error("media store: cannot create " + root_ + ": " + ec.message());
}

std::string DirectoryMediaStore::dir_of(std::string_view id) const {
    return root_ + "/" + std::string(id.substr(0, 2)) + "/" + std::string(id);
}

std::optional<MediaRecord> DirectoryMediaStore::record(std::string_view id) const {
    if (!is_valid_media_id(id)) return std::nullopt;
    {
        std::lock_guard lock(mutex_);
        if (auto it = records_.find(std::string(id)); it != records_.end()) return it->second;
    }
    // Not seen yet: maybe another node stored it (shared directory).
    auto text = read_whole(dir_of(id) + "/meta.json");
    if (!text) return std::nullopt;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded()) throw std::runtime_error("media store: unreadable " + dir_of(id) + "/meta.json");
    auto r = media_record_from_json(j);
    std::lock_guard lock(mutex_);
    records_.emplace(r.info.id, r);
    return r;
}

void DirectoryMediaStore::put(const MediaRecord& record, const IngestedImage& image) {
    const auto& id = record.info.id;
    if (!is_valid_media_id(id)) throw std::runtime_error("media store: bad id");
    const std::string parent = root_ + "/" + id.substr(0, 2);
    const std::string final_dir = dir_of(id);
    if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) io_failure("cannot create", parent);
    if (fs::exists(final_dir + "/meta.json")) return;  // stored already (by us or another node)

    const std::string temp = parent + "/.tmp-" + id + "-" + to_hex(random_bytes(8));
    if (::mkdir(temp.c_str(), 0755) != 0) io_failure("cannot create", temp);
    try {
        for (const auto& w : image.widths) {
            write_synced(temp + "/" + media_file_name(w.width, true), w.webp);
            write_synced(temp + "/" + media_file_name(w.width, false), w.jpeg);
        }
        write_synced(temp + "/meta.json", media_record_json(record).dump());
        sync_directory(temp);
        if (::rename(temp.c_str(), final_dir.c_str()) != 0) {
            // Another writer got there first: theirs is the same image.
            if (errno != EEXIST && errno != ENOTEMPTY) io_failure("cannot rename into", final_dir);
            std::error_code ignored;
            fs::remove_all(temp, ignored);
        }
        sync_directory(parent);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temp, ignored);
        throw;
    }
    std::lock_guard lock(mutex_);
    records_.emplace(id, record);
}

std::optional<std::string> DirectoryMediaStore::read_file(std::string_view id, std::string_view name) const {
    auto width = width_of_name(name);
    if (!width) return std::nullopt;
    auto r = record(id);
    if (!r) return std::nullopt;
    if (std::find(r->info.widths.begin(), r->info.widths.end(), *width) == r->info.widths.end()) return std::nullopt;
    return read_whole(dir_of(id) + "/" + std::string(name));
}

}  // namespace liveblog::media
