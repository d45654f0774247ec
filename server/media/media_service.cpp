#include "media/media_service.hpp"

#include <chrono>

#include "accounts/credentials.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"

namespace liveblog::media {

struct MediaService::Counters {
    Counter& stored;
    Counter& duplicates;
    Counter& refused;
    Histogram& seconds;
};

std::string media_id_of(std::string_view bytes) { return accounts::sha256_hex(bytes).substr(0, 32); }

ContentLimits content_limits_for(const MediaService& media) {
    ContentLimits limits;
    limits.media = &media.store();
    return limits;
}

std::string media_root(const Config& config) {
    return config.media_dir.empty() ? config.data_dir + "/media" : config.media_dir;
}

MediaService::MediaService(const Config& config, std::unique_ptr<MediaStore> store, MetricsRegistry& metrics)
    : config_(config), store_(std::move(store)), file_cache_(config.media_cache_bytes),
      max_reserved_(std::max<std::size_t>(1, config.max_queued_media)),
      workers_("media", std::max<std::size_t>(1, config.media_threads), std::max<std::size_t>(1, config.max_queued_media)),
      counters_(new Counters{
          metrics.counter("liveblog_media_uploads_total", "image uploads by outcome", {{"outcome", "stored"}}),
          metrics.counter("liveblog_media_uploads_total", "image uploads by outcome", {{"outcome", "duplicate"}}),
          metrics.counter("liveblog_media_uploads_total", "image uploads by outcome", {{"outcome", "refused"}}),
          metrics.histogram("liveblog_media_processing_seconds", "decoding, encoding and storing one upload",
                            Histogram::default_latency_bounds())}) {
    limits_.max_pixels = config.max_image_pixels;
    limits_.max_side = static_cast<std::uint32_t>(config.max_image_side);
    limits_.max_frames = static_cast<std::uint32_t>(config.max_image_frames);
}

MediaService::~MediaService() { workers_.stop(); }

std::shared_ptr<void> MediaService::reserve_upload() {
    auto taken = reserved_.fetch_add(1) + 1;
    if (taken > max_reserved_) {
        reserved_.fetch_sub(1);
        return nullptr;
    }
    // The slot is given back when the last holder lets go.
    return std::shared_ptr<void>(this, [](MediaService* self) { self->reserved_.fetch_sub(1); });
}

Stored MediaService::ingest_now(std::string_view bytes) {
    const auto started = std::chrono::steady_clock::now();
    const auto id = media_id_of(bytes);
    try {
        if (auto existing = store_->record(id)) {
            counters_->duplicates.inc();
            return {*existing, true};
        }
    } catch (const std::exception& e) {
        log_error("media: ", e.what());
        throw Error{ErrorCode::store_unavailable, "the media store could not be read; retry"};
    }
    IngestedImage image;
    try {
        image = ingest_image(bytes, limits_);
    } catch (const Error&) {
        counters_->refused.inc();
        throw;
    }
    MediaRecord record;
    record.info.id = id;
    record.info.width = image.width;
    record.info.height = image.height;
    for (const auto& w : image.widths) record.info.widths.push_back(w.width);
    record.format = image.format;
    record.bytes = bytes.size();
    record.created_at = now_millis();
    try {
        store_->put(record, image);
    } catch (const std::exception& e) {
        log_error("media: ", e.what());
        throw Error{ErrorCode::store_unavailable, "the image could not be stored; retry"};
    }
    counters_->stored.inc();
    counters_->seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    log_info("media: stored ", id, " (", record.format, " ", record.info.width, "x", record.info.height, ", ",
             record.bytes, " bytes)");
    return {std::move(record), false};
}

void MediaService::ingest(std::string bytes, std::function<void(std::variant<Stored, Error>)> done) {
    post_with_reply<Stored>(
        workers_, [this, bytes = std::move(bytes)] { return ingest_now(bytes); }, std::move(done), "media: upload",
        "too many uploads waiting; retry shortly");
}

}  // namespace liveblog::media
