#pragma once
// MediaStore on a filesystem: <root>/<id[0..2]>/<id>/{<w>.webp,<w>.jpg,meta.json}.
//
// Writes go to a temporary directory beside the final one, each file
// fsynced, then the directory is renamed into place and its parent fsynced:
// an image is there whole or not at all, even across kill -9 or power loss.
// Several nodes may share the root (NFS, a common volume): a rename onto an
// existing id loses the race harmlessly, both having written the same bytes.
//
// Records are cached in memory once read (they never change); files are read
// from disk each time (the kernel's page cache keeps the hot ones).

#include <mutex>
#include <string>
#include <unordered_map>

#include "media/media_store.hpp"

namespace liveblog::media {

class DirectoryMediaStore final : public MediaStore {
public:
    // Creates `root` if needed; throws std::runtime_error if it cannot.
    explicit DirectoryMediaStore(std::string root);

    std::optional<MediaRecord> record(std::string_view id) const override;
    void put(const MediaRecord& record, const IngestedImage& image) override;
    std::optional<std::string> read_file(std::string_view id, std::string_view name) const override;

    const std::string& root() const { return root_; }

private:
    std::string dir_of(std::string_view id) const;

    std::string root_;
    mutable std::mutex mutex_;
    mutable std::unordered_map<std::string, MediaRecord> records_;
};

}  // namespace liveblog::media
