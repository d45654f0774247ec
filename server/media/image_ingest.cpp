#include "media/image_ingest.hpp"

#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>

#include "common/error_code.hpp"
#include "common/log.hpp"

namespace liveblog::media {

namespace {

// libvips is set up once per process: no operation cache (every upload is
// new, and the cache would keep decoded pixels alive), one thread per
// operation (media_threads decides the parallelism), untrusted loaders off.
void init_vips() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (vips_init("liveblog") != 0) throw Error{ErrorCode::internal, "libvips did not start"};
        vips_cache_set_max(0);
        vips_cache_set_max_mem(0);
        vips_concurrency_set(1);
        vips_block_untrusted_set(TRUE);
        // libvips warns on stderr about harmless things ("ignoring nclx profile"):
        // into the log at debug level instead.
        g_log_set_handler(
            "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
            [](const gchar*, GLogLevelFlags, const gchar* message, gpointer) { log_debug("media: vips: ", message); },
            nullptr);
    });
}

struct Unref {
    void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, Unref>;

// libvips' error text, taken and cleared (it accumulates otherwise).
std::string vips_problem() {
    std::string text = vips_error_buffer();
    vips_error_clear();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);  // the first cause is enough
    return text.empty() ? "libvips failed" : text;
}

[[noreturn]] void refuse(ErrorCode code, std::string message) { throw Error{code, std::move(message)}; }

// The allow-list, by libvips loader class: anything else is refused even
// when libvips could read it (TIFF, PPM, FITS, Matlab, ...).
const char* accepted_format(std::string_view loader) {
    if (loader == "VipsForeignLoadJpegBuffer") return "jpeg";
    if (loader == "VipsForeignLoadPngBuffer") return "png";
    if (loader == "VipsForeignLoadWebpBuffer") return "webp";
    if (loader == "VipsForeignLoadNsgifBuffer" || loader == "VipsForeignLoadGifBuffer") return "gif";
    if (loader == "VipsForeignLoadHeifBuffer") return "heif";
    return nullptr;
}

// One step of the pipeline: `op` fills `out`; a failure is the image's fault
// unless said otherwise (the decode happens lazily, in whichever step pulls pixels).
template <class Op>
ImagePtr step(const ImagePtr& in, Op op, const char* what) {
    VipsImage* out = nullptr;
    if (op(in.get(), &out) != 0) refuse(ErrorCode::invalid_image, std::string(what) + ": " + vips_problem());
    return ImagePtr(out);
}

// sRGB, 8 bits, no alpha: what every browser shows the same way. ICC
// profiles are applied (then dropped with the rest of the metadata); a
// transparent background becomes white, the page's colour.
ImagePtr to_display_srgb(ImagePtr image) {
    if (vips_image_get_typeof(image.get(), VIPS_META_ICC_NAME)) {
        image = step(image, [](VipsImage* in, VipsImage** out) {
            return vips_icc_transform(in, out, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL, nullptr);
        }, "colour profile");
    } else if (vips_image_guess_interpretation(image.get()) != VIPS_INTERPRETATION_sRGB) {
        image = step(image, [](VipsImage* in, VipsImage** out) {
            return vips_colourspace(in, out, VIPS_INTERPRETATION_sRGB, nullptr);
        }, "colour space");
    }
    if (vips_image_hasalpha(image.get())) {
        image = step(image, [](VipsImage* in, VipsImage** out) {
            VipsArrayDouble* white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
            int r = vips_flatten(in, out, "background", white, nullptr);
            vips_area_unref(VIPS_AREA(white));
            return r;
        }, "transparency");
    }
    if (vips_image_get_bands(image.get()) > 3) {  // e.g. an extra band some encoders leave
        image = step(image, [](VipsImage* in, VipsImage** out) { return vips_extract_band(in, out, 0, "n", 3, nullptr); },
                     "bands");
    }
    if (vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR) {
        image = step(image, [](VipsImage* in, VipsImage** out) { return vips_cast_uchar(in, out, nullptr); },
                     "depth");
    }
    return image;
}

// The decoded pixels in a new image that has no metadata at all: not
// relying on each saver's "strip" (libvips 8.14's WebP saver keeps EXIF
// despite it), nothing of the original's EXIF, XMP, IPTC or ICC can reach
// an encoded file. Pulling the pixels is where a truncated file fails.
ImagePtr pixels_only(const ImagePtr& image) {
    std::size_t size = 0;
    void* pixels = vips_image_write_to_memory(image.get(), &size);
    if (!pixels) refuse(ErrorCode::invalid_image, "does not decode: " + vips_problem());
    VipsImage* bare = vips_image_new_from_memory_copy(pixels, size, vips_image_get_width(image.get()),
                                                      vips_image_get_height(image.get()),
                                                      vips_image_get_bands(image.get()), VIPS_FORMAT_UCHAR);
    g_free(pixels);
    if (!bare) refuse(ErrorCode::internal, "copying pixels: " + vips_problem());
    ImagePtr out(bare);
    return step(out, [](VipsImage* in, VipsImage** o) {
        return vips_copy(in, o, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr);
    }, "copying pixels");
}

std::string take_buffer(void* data, std::size_t size) {
    std::string bytes(static_cast<const char*>(data), size);
    g_free(data);
    return bytes;
}

std::uint32_t le32(const std::string& s, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}

void put_le32(std::string& s, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// libvips 8.14's WebP saver writes an EXIF chunk of its own (resolution,
// orientation) even with strip: the RIFF container is rewritten without
// EXIF, XMP and ICCP chunks, and VP8X's flags for them cleared.
std::string strip_webp_metadata(const std::string& webp) {
    if (webp.size() < 12 || webp.compare(0, 4, "RIFF") != 0 || webp.compare(8, 4, "WEBP") != 0)
        refuse(ErrorCode::internal, "encoding WebP: not a RIFF/WEBP file");
    std::string out = webp.substr(0, 12);
    std::size_t vp8x_flags = std::string::npos;
    for (std::size_t i = 12; i + 8 <= webp.size();) {
        const std::string fourcc = webp.substr(i, 4);
        const std::size_t size = le32(webp, i + 4);
        const std::size_t total = 8 + size + (size & 1);
        if (i + total > webp.size()) refuse(ErrorCode::internal, "encoding WebP: a chunk runs past the end");
        if (fourcc != "EXIF" && fourcc != "XMP " && fourcc != "ICCP") {
            if (fourcc == "VP8X") vp8x_flags = out.size() + 8;
            out.append(webp, i, total);
        }
        i += total;
    }
    if (vp8x_flags != std::string::npos)
        out[vp8x_flags] = static_cast<char>(static_cast<unsigned char>(out[vp8x_flags]) & ~(0x20 | 0x08 | 0x04));
    put_le32(out, 4, static_cast<std::uint32_t>(out.size() - 8));
    return out;
}

EncodedWidth encode(const ImagePtr& image) {
    EncodedWidth w;
    w.width = static_cast<std::uint32_t>(vips_image_get_width(image.get()));
    w.height = static_cast<std::uint32_t>(vips_image_get_height(image.get()));
    void* data = nullptr;
    std::size_t size = 0;
    // strip: no metadata of any kind in what is served.
    if (vips_webpsave_buffer(image.get(), &data, &size, "Q", 80, "strip", TRUE, nullptr) != 0)
        refuse(ErrorCode::invalid_image, "encoding WebP: " + vips_problem());
    w.webp = strip_webp_metadata(take_buffer(data, size));
    if (vips_jpegsave_buffer(image.get(), &data, &size, "Q", 82, "interlace", TRUE, "optimize_coding", TRUE, "strip",
                             TRUE, nullptr) != 0)
        refuse(ErrorCode::invalid_image, "encoding JPEG: " + vips_problem());
    w.jpeg = take_buffer(data, size);
    return w;
}

}  // namespace

std::vector<std::uint32_t> widths_for(std::uint32_t width) {
    std::vector<std::uint32_t> out;
    for (auto w : kStoredWidths)
        if (w < width) out.push_back(w);
    if (width < kStoredWidths[std::size(kStoredWidths) - 1]) out.push_back(width);
    else if (out.empty() || out.back() != kStoredWidths[std::size(kStoredWidths) - 1])
        out.push_back(kStoredWidths[std::size(kStoredWidths) - 1]);
    return out;
}

IngestedImage ingest_image(std::string_view bytes, const ImageLimits& limits) {
    init_vips();
    const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
    vips_error_clear();  // "not a known format" is not an error worth keeping
    const char* format = loader ? accepted_format(loader) : nullptr;
    if (!format) refuse(ErrorCode::unsupported_image, "not a JPEG, PNG, WebP, GIF or HEIF/AVIF image");

    // The header only: libvips decodes lazily, so nothing big happens here.
    // fail_on error: a truncated or corrupt file fails when its pixels are read.
    VipsImage* header_raw = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "fail_on",
                                                       VIPS_FAIL_ON_ERROR, nullptr);
    if (!header_raw) refuse(ErrorCode::invalid_image, "unreadable image: " + vips_problem());
    ImagePtr image(header_raw);

    const auto width = static_cast<std::uint64_t>(vips_image_get_width(image.get()));
    const auto height = static_cast<std::uint64_t>(vips_image_get_height(image.get()));
    const auto frames = static_cast<std::uint64_t>(std::max(1, vips_image_get_n_pages(image.get())));
    if (width > limits.max_side || height > limits.max_side)
        refuse(ErrorCode::media_too_large, std::to_string(width) + " x " + std::to_string(height) +
                                               " pixels: a side is over " + std::to_string(limits.max_side));
    if (width * height > limits.max_pixels)
        refuse(ErrorCode::media_too_large, std::to_string(width) + " x " + std::to_string(height) + " pixels: over " +
                                               std::to_string(limits.max_pixels) + " in all");
    if (frames > limits.max_frames)
        refuse(ErrorCode::media_too_large,
               std::to_string(frames) + " frames: over " + std::to_string(limits.max_frames));

    IngestedImage out;
    out.format = format;
    if (out.format == "heif") {
        const char* compression = nullptr;
        if (vips_image_get_typeof(image.get(), "heif-compression") &&
            vips_image_get_string(image.get(), "heif-compression", &compression) == 0 && compression &&
            std::string_view(compression) == "av1")
            out.format = "avif";
        vips_error_clear();
    }

    // Orientation into the pixels (the EXIF tag goes with the metadata), then sRGB.
    image = step(image, [](VipsImage* in, VipsImage** o) { return vips_autorot(in, o, nullptr); }, "orientation");
    image = to_display_srgb(std::move(image));
    out.width = static_cast<std::uint32_t>(vips_image_get_width(image.get()));
    out.height = static_cast<std::uint32_t>(vips_image_get_height(image.get()));

    // The largest width is made from the whole decoded image (this is where a
    // truncated file fails) and kept in memory, bare of metadata; the smaller
    // ones from it.
    const auto widths = widths_for(out.width);
    ImagePtr largest;
    for (auto it = widths.rbegin(); it != widths.rend(); ++it) {
        const std::uint32_t target = *it;
        const ImagePtr& source = largest ? largest : image;
        // thumbnail_image lands on the exact width (resize by a scale may miss it by one).
        ImagePtr resized =
            static_cast<std::uint32_t>(vips_image_get_width(source.get())) == target
                ? ImagePtr((g_object_ref(source.get()), source.get()))
                : step(source, [target](VipsImage* in, VipsImage** o) {
                      return vips_thumbnail_image(in, o, static_cast<int>(target), "height", VIPS_MAX_COORD, "size",
                                                  VIPS_SIZE_DOWN, nullptr);
                  }, "resizing");
        if (!largest) {
            largest = pixels_only(resized);
            resized = ImagePtr((g_object_ref(largest.get()), largest.get()));
        }
        auto encoded = encode(resized);
        encoded.width = target;
        out.widths.push_back(std::move(encoded));
    }
    std::reverse(out.widths.begin(), out.widths.end());
    return out;
}

}  // namespace liveblog::media
