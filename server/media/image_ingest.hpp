#pragma once
// An uploaded image, from untrusted bytes to the widths pages serve (libvips).
//
// What the file is comes from its bytes, never its name or Content-Type:
// the loader libvips finds for them must be on an allow-list (JPEG, PNG,
// WebP, GIF, HEIF/AVIF), and libvips' untrusted loaders (SVG, PDF, magick...)
// are blocked process-wide. The header is checked against the limits before a
// pixel is decoded (a 20,000 x 20,000 PNG is 400 KB of bytes and 1.2 GB of
// pixels); then the whole image is decoded, failing on any error, so a
// truncated file is refused rather than stored grey.
//
// The result never carries the original's metadata: orientation is applied
// to the pixels, the colours converted to sRGB, and every block (EXIF with
// GPS, XMP, IPTC, ICC, comments) is stripped from what is encoded.
//
// Blocking and CPU-bound: run it on a media worker, never an I/O thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace liveblog::media {

struct ImageLimits {
    std::uint64_t max_pixels = 60'000'000;
    std::uint32_t max_side = 16384;
    std::uint32_t max_frames = 100;
};

// The widths made for srcset: these below the original's width, plus the
// original's own width when it is under the largest.
inline constexpr std::uint32_t kStoredWidths[] = {320, 640, 1024, 1600};

struct EncodedWidth {
    std::uint32_t width = 0, height = 0;
    std::string webp;
    std::string jpeg;
};

struct IngestedImage {
    std::string format;                 // jpeg | png | webp | gif | heif | avif
    std::uint32_t width = 0, height = 0;  // as displayed (orientation applied)
    std::vector<EncodedWidth> widths;   // ascending
};

// Throws liveblog::Error: unsupported_image (not an accepted format),
// media_too_large (past a limit), invalid_image (does not decode).
IngestedImage ingest_image(std::string_view bytes, const ImageLimits& limits);

// The widths ingest_image makes for an image `width` pixels wide.
std::vector<std::uint32_t> widths_for(std::uint32_t width);

}  // namespace liveblog::media
