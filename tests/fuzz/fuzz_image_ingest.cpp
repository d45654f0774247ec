// libFuzzer harness: an uploaded image's bytes through media::ingest_image
// (libvips: loader allow-list, header limits, decode, orientation, sRGB,
// re-encoding). libvips itself is not instrumented; what is fuzzed is our
// pipeline around it and its contract:
//  - it either throws liveblog::Error with unsupported_image,
//    media_too_large or invalid_image, or returns an image;
//  - a returned image has a format on the allow-list, a size within the
//    limits, the widths widths_for() promises, ascending, each as a JPEG
//    (FF D8) and a WebP (RIFF/WEBP) with no EXIF, XMP or ICC chunk.
// The limits are small so that no input makes a slow run.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error_code.hpp"
#include "fuzz_check.hpp"
#include "media/image_ingest.hpp"

namespace {

// Walks the RIFF chunks: every one inside the file, none of them metadata.
bool webp_chunks_clean(const std::string& webp) {
    for (std::size_t i = 12; i < webp.size();) {
        if (i + 8 > webp.size()) return false;
        const std::string_view fourcc(webp.data() + i, 4);
        std::size_t n = 0;
        for (int k = 3; k >= 0; --k) n = (n << 8) | static_cast<unsigned char>(webp[i + 4 + k]);
        if (fourcc == "EXIF" || fourcc == "XMP " || fourcc == "ICCP") return false;
        i += 8 + n + (n & 1);
        if (i > webp.size()) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace liveblog;
    media::ImageLimits limits;
    limits.max_pixels = 1'000'000;
    limits.max_side = 2048;
    limits.max_frames = 4;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    media::IngestedImage image;
    try {
        image = media::ingest_image(bytes, limits);
    } catch (const Error& e) {
        FUZZ_REQUIRE(e.code == ErrorCode::unsupported_image || e.code == ErrorCode::media_too_large ||
                     e.code == ErrorCode::invalid_image);
        FUZZ_REQUIRE(!e.message.empty());
        return 0;
    }
    FUZZ_REQUIRE(image.format == "jpeg" || image.format == "png" || image.format == "webp" || image.format == "gif" ||
                 image.format == "heif" || image.format == "avif");
    FUZZ_REQUIRE(image.width >= 1 && image.height >= 1 && image.width <= limits.max_side && image.height <= limits.max_side);
    const auto expected = media::widths_for(image.width);
    FUZZ_REQUIRE(image.widths.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& w = image.widths[i];
        FUZZ_REQUIRE(w.width == expected[i]);
        FUZZ_REQUIRE(w.jpeg.size() > 2 && static_cast<unsigned char>(w.jpeg[0]) == 0xFF &&
                     static_cast<unsigned char>(w.jpeg[1]) == 0xD8);
        FUZZ_REQUIRE(w.webp.size() > 12 && w.webp.compare(0, 4, "RIFF") == 0 && w.webp.compare(8, 4, "WEBP") == 0);
        FUZZ_REQUIRE(webp_chunks_clean(w.webp));
    }
    return 0;
}
