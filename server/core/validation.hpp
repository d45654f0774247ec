#pragma once
// Content rules (ARCHITECTURE.md "Content model"). Each check throws
// liveblog::Error with code invalid_slug / invalid_content / bad_request and a
// message naming the offending field (e.g. "blocks[3].src: must be an http(s) URL").
// Input is JSON already parsed by nlohmann (so its strings are valid UTF-8).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error_code.hpp"
#include "core/media_catalog.hpp"

namespace liveblog {

struct ContentLimits {
    std::size_t max_blocks = 50;
    std::size_t max_text_bytes = 20000;     // text / heading / quote / caption
    std::size_t max_short_bytes = 500;      // title, author, cite, alt, credit, list item
    std::size_t max_list_items = 50;
    std::size_t max_url_bytes = 2048;
    std::size_t max_summary_bytes = 2000;
    std::size_t max_entry_bytes = 256 << 10;  // an entry's blocks, as encoded JSON
    std::size_t max_card_text_bytes = 5000;   // an embed card's text (the post, as the provider gave it)
    std::size_t max_related = 10;             // a story's related links
    // The uploaded images a `media` field may name (and their sizes); null: none.
    const MediaCatalog* media = nullptr;
};

bool is_valid_slug(std::string_view id);          // [a-z0-9-]{1,64}
void check_slug(std::string_view id);             // throws invalid_slug
bool is_valid_lang(std::string_view lang);        // BCP 47 shape: 2-3 letters, then -subtags of 1-8 alnum
bool is_http_url(std::string_view url);           // http:// or https:// with a host, no spaces/controls

// Returns the blocks normalised: only known fields kept, so stored blocks are
// exactly what the contract allows.
nlohmann::json validate_blocks(const nlohmann::json& blocks, const ContentLimits& limits = {});
// A story's lead image: an image block without its `type` (uploaded `media`
// or an external `src`, alt required). Returns it normalised, as stored.
nlohmann::json validate_lead_image(const nlohmann::json& image, const ContentLimits& limits = {});
// A story's related links: at most max_related {title, url}; returns them normalised.
nlohmann::json validate_related(const nlohmann::json& related, const ContentLimits& limits = {});
// A single-line human string: non-empty after trimming, at most max bytes, no control characters.
void check_short_text(std::string_view field, const std::string& value, std::size_t max_bytes);
// The same as a test, for author names (max_short_bytes): a token's sub.
bool is_valid_author_name(const std::string& name);
// A story summary: may be empty; else at most max_summary_bytes, newlines and
// tabs allowed, no other control character, links checked as in text.
void check_summary(const std::string& value, const ContentLimits& limits = {});
// The entry's blocks as stored, encoded: at most max_entry_bytes, so that any
// one entry (and so any one event) fits a reader's outbound queue.
void check_entry_size(const nlohmann::json& blocks, const ContentLimits& limits = {});

}  // namespace liveblog
