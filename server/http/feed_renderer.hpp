#pragma once
// A story for other programs (docs/protocol.md "Feeds", "Embeds and
// oEmbed"): Atom (RFC 4287) and JSON Feed 1.1 of its newest entries, the
// page a CMS puts in an <iframe>, and the oEmbed answer that gives CMSes
// embedding by URL the iframe code.
//
// Feeds are read away from the server, so every URL in them is absolute,
// under `base` (the server's public origin, "https://live.example").

#include <string>
#include <string_view>
#include <vector>

#include "core/content.hpp"

namespace liveblog {

// `entries`: published (not deleted), newest first.
std::string render_atom_feed(const Story& story, const std::vector<Entry>& entries, std::string_view base);
std::string render_json_feed(const Story& story, const std::vector<Entry>& entries, std::string_view base);

// What the embed page passes to <liveblog-story> (client-demo/js/embed.js).
struct EmbedOptions {
    unsigned limit = 0;          // 0: the element's default
    bool key_events_only = false;
    bool oldest_first = false;
};
// /embed/stories/{id}: the custom element alone on a page, for iframes; it
// tells its parent its height (embed-frame.js).
// `import_map`: the static files' versions (http/static_assets), or empty.
std::string render_embed_page(const Story& story, const EmbedOptions& options, std::string_view import_map,
                              std::string_view embed_script, std::string_view frame_script);

// The oEmbed "rich" answer for a story: an iframe of its embed page.
std::string render_oembed(const Story& story, std::string_view base, unsigned width, unsigned height);

}  // namespace liveblog
