#pragma once
// Server-rendered reader pages: GET / and GET /stories/{id}. Complete HTML5
// that reads without JavaScript and carries schema.org LiveBlogPosting
// JSON-LD; /static/js/reader-page.js then subscribes with since = data-seq
// (and data-epoch) and continues live with no gap.
//
// Every piece of content reaches the page through html.hpp (escaped, or
// rendered from the three inline marks); URLs are re-checked as http(s)
// here, whatever validation did. The only <script> elements are the JSON-LD
// and, on story pages, the reader module (with its import map).

#include <string>
#include <vector>

#include "store/store.hpp"

namespace liveblog {

// Where the reader page's module and its stylesheet are, and the import map
// that versions the modules it imports (http/static_assets); the defaults are
// the unversioned paths.
struct PageAssets {
    std::string script = "/static/js/reader-page.js";
    std::string stylesheet = "/static/css/reader.css";
    std::string import_map;  // JSON; empty: none
};

// The page for snap.story. `before` is 0 for the live page (pinned entries
// first, then snap.page); otherwise snap.page holds the entries with
// created_seq < before and this is an "older entries" page, with no pinned
// block and a link back to the live page. When snap.page.has_more, the page
// links to /stories/{id}?before={created_seq of its oldest entry}.
// Labels are French when the story's language is French, English otherwise;
// `lang_hint` (e.g. from Accept-Language) decides only when the story has no
// language.
std::string render_story_page(const StorySnapshot& snap, Seq before, const std::string& lang_hint = "",
                              const PageAssets& assets = {});

// One entry as feeds carry it (http/feed_renderer): the HTML of its title,
// blocks and corrections as the page shows them (no article wrapper, no
// meta line), uploaded images' URLs made absolute under `base`; its
// headline, its plain text, and its first image's absolute address.
struct FeedEntry {
    std::string html;
    std::string headline;
    std::string text;
    std::string image;  // empty when none
};
FeedEntry render_feed_entry(const Entry& e, std::string_view lang, std::string_view base);

// The front page: every story in the given order (callers pass newest first),
// with its status, summary and a link to /stories/{id}.
std::string render_story_list(const std::vector<Story>& stories);

}  // namespace liveblog
