#pragma once
// Where uploaded images live (docs/protocol.md "Media"). An image is stored
// once per id (the SHA-256 of the uploaded bytes, first 32 hex digits): its
// widths as WebP and JPEG, and a record of what it is. Never the original.
//
// DirectoryMediaStore is the one built: a directory, under data_dir by
// default, or shared by every node in cluster mode. The interface is what an
// object store (S3 and the like) would implement too.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/content.hpp"
#include "core/media_catalog.hpp"
#include "media/image_ingest.hpp"

namespace liveblog::media {

struct MediaRecord {
    MediaInfo info;
    std::string format;          // what was uploaded: jpeg, png, webp, gif, heif, avif
    std::uint64_t bytes = 0;     // the upload's size
    Millis created_at = 0;
};

// The record as the API answers it and as meta.json keeps it:
// {"id","width","height","widths","format","bytes","created_at","src"}.
nlohmann::json media_record_json(const MediaRecord& r);
// Throws std::runtime_error on a malformed record.
MediaRecord media_record_from_json(const nlohmann::json& j);

// A stored file's name: "<width>.webp" or "<width>.jpg".
std::string media_file_name(std::uint32_t width, bool webp);
// The public path of a stored file: "/media/<id>/<name>".
std::string media_path(std::string_view id, std::uint32_t width, bool webp);
// The width for a JPEG src: the largest at most 1024, else the smallest.
std::uint32_t fallback_width(const std::vector<std::uint32_t>& widths);

class MediaStore : public MediaCatalog {
public:
    std::optional<MediaInfo> find(std::string_view id) const override {
        auto r = record(id);
        if (!r) return std::nullopt;
        return r->info;
    }
    // Safe from any thread. Throws std::runtime_error when the store cannot be read.
    virtual std::optional<MediaRecord> record(std::string_view id) const = 0;
    // Stores every width of `image` and the record, all or nothing (a crash
    // leaves no half image). Storing an id already there keeps the first.
    // Throws std::runtime_error when it cannot write.
    virtual void put(const MediaRecord& record, const IngestedImage& image) = 0;
    // One stored file's bytes ("640.webp"), or nullopt.
    virtual std::optional<std::string> read_file(std::string_view id, std::string_view name) const = 0;
};

}  // namespace liveblog::media
