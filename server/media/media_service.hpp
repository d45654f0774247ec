#pragma once
// Uploads, from bytes received to an image stored (docs/protocol.md "Media"):
// the id (SHA-256 of the bytes), the duplicate check, the decoding and
// encoding on the media workers (never an I/O thread), the store.
//
// Bounded: at most max_queued_media uploads are being received or processed
// at once. A connection reserves its slot before it reads an upload's body
// (up to max_upload_bytes), so a crowd of uploads cannot hold more than
// max_queued_media bodies in memory; past it the answer is 503 overloaded.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "common/error_code.hpp"
#include "common/work_queue.hpp"
#include "core/validation.hpp"
#include "media/media_file_cache.hpp"
#include "media/media_store.hpp"

namespace liveblog {
struct Config;
class MetricsRegistry;
}  // namespace liveblog

namespace liveblog::media {

struct Stored {
    MediaRecord record;
    bool duplicate = false;  // that id was stored already: nothing was done
};

class MediaService {
public:
    MediaService(const Config& config, std::unique_ptr<MediaStore> store, MetricsRegistry& metrics);
    ~MediaService();
    MediaService(const MediaService&) = delete;
    MediaService& operator=(const MediaService&) = delete;

    const MediaStore& store() const { return *store_; }
    // The stored files most asked for (media_cache_bytes).
    MediaFileCache& file_cache() { return file_cache_; }

    // A slot for one upload, held from before its body is read until it is
    // answered; null when max_queued_media are taken.
    std::shared_ptr<void> reserve_upload();

    // Stores `bytes` as an image, on a media worker; `done` runs there with
    // what was stored or why not (Error: unsupported_image, media_too_large,
    // invalid_image, overloaded, store_unavailable).
    void ingest(std::string bytes, std::function<void(std::variant<Stored, Error>)> done);
    // The same, on the calling thread (an embed worker re-hosting a thumbnail).
    Stored ingest_now(std::string_view bytes);

    void stop() { workers_.stop(); }

private:
    const Config& config_;
    std::unique_ptr<MediaStore> store_;
    ImageLimits limits_;
    MediaFileCache file_cache_;
    std::atomic<std::size_t> reserved_{0};
    std::size_t max_reserved_;
    WorkQueue workers_;
    struct Counters;
    std::unique_ptr<Counters> counters_;
};

// The content rules every block is checked against: the defaults, with the
// images `media` holds (for `media` fields).
ContentLimits content_limits_for(const MediaService& media);

// 32 lowercase hex digits: the first 128 bits of the SHA-256 of `bytes`.
std::string media_id_of(std::string_view bytes);
// media_dir, or <data_dir>/media when it is empty.
std::string media_root(const Config& config);

}  // namespace liveblog::media
