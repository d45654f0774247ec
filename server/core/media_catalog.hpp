#pragma once
// What content validation needs to know of uploaded images: whether an id
// names one, and its size. The MediaStore (media/) implements it; core/ sees
// only this, so the content rules stay free of files and libvips.
//
// A block that says {"media": id} gets its width, height and widths from
// here, never from the client: a page cannot be made to lie about an image.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liveblog {

struct MediaInfo {
    std::string id;                   // 32 lowercase hex digits (SHA-256 prefix of the upload)
    std::uint32_t width = 0;          // the stored image's size, orientation applied
    std::uint32_t height = 0;
    std::vector<std::uint32_t> widths;  // the stored widths, ascending
};

class MediaCatalog {
public:
    virtual ~MediaCatalog() = default;
    // Safe from any thread.
    virtual std::optional<MediaInfo> find(std::string_view id) const = 0;
};

// 32 lowercase hex digits.
bool is_valid_media_id(std::string_view id);

}  // namespace liveblog
