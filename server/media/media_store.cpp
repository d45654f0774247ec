#include "media/media_store.hpp"

#include <stdexcept>

#include "common/clock.hpp"

namespace liveblog::media {

nlohmann::json media_record_json(const MediaRecord& r) {
    return {
        {"id", r.info.id},
        {"width", r.info.width},
        {"height", r.info.height},
        {"widths", r.info.widths},
        {"format", r.format},
        {"bytes", r.bytes},
        {"created_at", format_iso8601(r.created_at)},
        {"src", media_path(r.info.id, fallback_width(r.info.widths), false)},
    };
}

MediaRecord media_record_from_json(const nlohmann::json& j) {
    try {
        MediaRecord r;
        r.info.id = j.at("id").get<std::string>();
        r.info.width = j.at("width").get<std::uint32_t>();
        r.info.height = j.at("height").get<std::uint32_t>();
        r.info.widths = j.at("widths").get<std::vector<std::uint32_t>>();
        r.format = j.at("format").get<std::string>();
        r.bytes = j.at("bytes").get<std::uint64_t>();
        auto created = parse_iso8601(j.at("created_at").get<std::string>());
        if (!created) throw std::runtime_error("created_at is not a time");
        r.created_at = *created;
        if (!is_valid_media_id(r.info.id) || r.info.widths.empty()) throw std::runtime_error("bad id or widths");
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("media record: ") + e.what());
    }
}

std::string media_file_name(std::uint32_t width, bool webp) {
    return std::to_string(width) + (webp ? ".webp" : ".jpg");
}

std::string media_path(std::string_view id, std::uint32_t width, bool webp) {
    return "/media/" + std::string(id) + "/" + media_file_name(width, webp);
}

std::uint32_t fallback_width(const std::vector<std::uint32_t>& widths) {
    std::uint32_t best = 0;
    for (auto w : widths)
        if (w <= 1024 && w > best) best = w;
    if (best) return best;
    return widths.empty() ? 0 : *std::min_element(widths.begin(), widths.end());
}

}  // namespace liveblog::media
