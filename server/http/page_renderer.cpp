#include "http/page_renderer.hpp"

#include <algorithm>
#include <ctime>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "core/validation.hpp"
#include "http/block_html.hpp"
#include "http/html.hpp"

namespace liveblog {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// ---------------------------------------------------------------------------
// Labels: the page's own words, French or English
// ---------------------------------------------------------------------------

struct Labels {
    const char* lang;  // <html lang> when the story has none
    const char* live;
    const char* paused;
    const char* ended;
    const char* pinned;
    const char* key_events;
    const char* entries;
    const char* no_entries;
    const char* older_entries;
    const char* back_to_live;
    const char* updated;  // followed by a time: "updated 11:40"
    const char* times_in_utc;
    const char* stories;
    const char* no_stories;
    const char* months[12];
    const char* first_of_month;  // day 1 ("1er" in French)
    const char* date_time_sep;   // between a date and a time
    const char* corrected;       // followed by a time: "Corrigé à 21:04"
    const char* note_sep;        // between that time and the note (" : " in French)
    const char* related;         // the related links' heading
};

// Label strings are trusted constants: they go into the page unescaped, so
// none may hold & < > " or '.
constexpr Labels french{
    "fr", "En direct", "En pause", "Terminé", "Épinglé", "Moments clés", "Toutes les entrées",
    "Aucune entrée pour le moment.", "Entrées précédentes", "Retour au direct", "mis à jour",
    "Heures en temps universel (UTC)", "Les directs", "Aucun direct pour le moment.",
    {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
     "novembre", "décembre"},
    "1er", " à ", "Corrigé à", "\u00a0: ", "À suivre aussi",
};

constexpr Labels english{
    "en", "Live", "Paused", "Ended", "Pinned", "Key events", "All entries", "No entries yet.",
    "Older entries", "Back to live coverage", "updated", "Times are UTC", "Live coverage",
    "No live coverage yet.",
    {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"},
    "1", ", ", "Corrected at", ": ", "Related",
};

// The primary subtag of a BCP 47 tag is "fr", in any case.
bool is_french(std::string_view lang) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lang.size() >= 2 && lower(lang[0]) == 'f' && lower(lang[1]) == 'r' && (lang.size() == 2 || lang[2] == '-');
}

const Labels& labels_for(std::string_view lang) { return is_french(lang) ? french : english; }

const char* status_label(StoryStatus status, const Labels& l) {
    switch (status) {
        case StoryStatus::live: return l.live;
        case StoryStatus::paused: return l.paused;
        case StoryStatus::ended: return l.ended;
    }
    return l.live;
}

// The status as it appears in class names: badge-live, badge-paused, badge-ended.
void append_badge(std::string& out, StoryStatus status, const Labels& l) {
    out += "<span class=\"badge badge-";
    out += to_string(status);
    out += "\">";
    out += status_label(status, l);
    out += "</span>";
}

// ---------------------------------------------------------------------------
// Time: shown in UTC (the server knows no reader's zone; the script may
// localise), machine-readable in datetime=
// ---------------------------------------------------------------------------

struct UtcTime {
    int year, month, day, hour, minute;  // month 1..12
};

UtcTime utc(Millis t) {
    std::time_t secs = static_cast<std::time_t>(t / 1000);
    if (t % 1000 < 0) --secs;  // floor, for times before 1970
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min};
}

std::string two_digits(int n) { return {static_cast<char>('0' + n / 10 % 10), static_cast<char>('0' + n % 10)}; }

std::string hh_mm(const UtcTime& t) { return two_digits(t.hour) + ":" + two_digits(t.minute); }

// "25 novembre 2026", "1er mai 2026"; "25 November 2026".
std::string long_date(const UtcTime& t, const Labels& l) {
    std::string s = t.day == 1 ? l.first_of_month : std::to_string(t.day);
    s += ' ';
    s += l.months[std::clamp(t.month, 1, 12) - 1];
    s += ' ';
    s += std::to_string(t.year);
    return s;
}

// <time datetime="2026-11-25T11:35:12.345Z" title="25 novembre 2026 à 11:35 UTC">11:35</time>
void append_time(std::string& out, Millis t, const Labels& l) {
    const auto u = utc(t);
    out += "<time datetime=\"";
    out += format_iso8601(t);
    out += "\" title=\"";
    out += long_date(u, l);
    out += l.date_time_sep;
    out += hh_mm(u);
    out += " UTC\">";
    out += hh_mm(u);
    out += "</time>";
}

// ---------------------------------------------------------------------------
// Blocks as plain text (JSON-LD, headlines)
// ---------------------------------------------------------------------------

// Blocks were validated when stored, but a page must render whatever it is
// given: a missing or mistyped field reads as empty, never throws (json_string).
const json& blocks_of(const Entry& e) {
    static const json none = json::array();
    return e.blocks.is_array() ? e.blocks : none;
}

void append_joined(std::string& out, std::string_view part, std::string_view sep) {
    if (part.empty()) return;
    if (!out.empty()) out += sep;
    out += part;
}

std::string block_plain_text(const json& block) {
    const auto type = json_string(block, "type");
    std::string s;
    if (type == "text" || type == "heading") {
        s = strip_inline_marks(json_string(block, "text"));
    } else if (type == "quote") {
        s = strip_inline_marks(json_string(block, "text"));
        const auto cite = json_string(block, "cite");
        if (!cite.empty()) append_joined(s, std::string("— ").append(cite), "\n");
    } else if (type == "image") {
        s = strip_inline_marks(json_string(block, "caption"));
        append_joined(s, json_string(block, "credit"), " — ");
    } else if (type == "embed") {
        if (const auto card = block.find("card"); card != block.end() && card->is_object()) {
            s = json_string(*card, "text");
            if (s.empty()) s = json_string(*card, "title");
        }
        append_joined(s, json_string(block, "url"), "\n");
    } else if (type == "list") {
        if (const auto it = block.find("items"); it != block.end() && it->is_array())
            for (const auto& item : *it)
                if (item.is_string()) append_joined(s, strip_inline_marks(item.get_ref<const std::string&>()), "\n");
    }
    return s;
}

std::string entry_plain_text(const Entry& e) {
    std::string body;
    for (const auto& block : blocks_of(e)) append_joined(body, block_plain_text(block), "\n\n");
    return body;
}

// Runs of ASCII white space (newlines included) become one space; trimmed.
std::string collapse_whitespace(std::string_view s) {
    std::string out;
    bool pending_space = false;
    for (char c : s) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            pending_space = !out.empty();
        } else {
            if (pending_space) out += ' ';
            pending_space = false;
            out += c;
        }
    }
    return out;
}

// At most `max` code points; a cut one ends with "…" (counted). Never splits
// a UTF-8 sequence.
std::string truncate_code_points(std::string s, std::size_t max) {
    const auto is_lead = [](char c) { return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u; };
    std::size_t count = 0, cut = std::string::npos;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!is_lead(s[i])) continue;
        if (count == max - 1) cut = i;
        if (++count > max) {
            s.resize(cut);
            while (!s.empty() && s.back() == ' ') s.pop_back();
            s += "…";
            return s;
        }
    }
    return s;
}

// schema.org (and search engines) cap headlines at 110 characters.
constexpr std::size_t max_headline_chars = 110;

// The entry's title; else its first text block; else its first block with
// any text. Marks stripped, one line.
std::string entry_headline(const Entry& e) {
    if (e.title) {
        auto t = collapse_whitespace(*e.title);
        if (!t.empty()) return truncate_code_points(std::move(t), max_headline_chars);
    }
    const auto& blocks = blocks_of(e);
    for (const auto& block : blocks) {
        if (json_string(block, "type") != "text") continue;
        auto t = collapse_whitespace(block_plain_text(block));
        if (!t.empty()) return truncate_code_points(std::move(t), max_headline_chars);
    }
    for (const auto& block : blocks) {
        auto t = collapse_whitespace(block_plain_text(block));
        if (!t.empty()) return truncate_code_points(std::move(t), max_headline_chars);
    }
    return {};
}

std::string first_image(const Entry& e) {
    for (const auto& block : blocks_of(e)) {
        if (json_string(block, "type") != "image") continue;
        if (auto address = image_address(block); !address.empty()) return address;
    }
    return {};
}

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

// Where an entry appears. One entry can appear twice on a live page (pinned,
// and in the stream), so the two places have distinct ids: entry-ID in the
// stream, pinned-ID in the pinned block; both carry data-entry-id.
enum class Placement { stream, pinned };

std::string anchor_id(const Entry& e, Placement p) {
    return (p == Placement::stream ? "entry-" : "pinned-") + e.id;
}

bool is_updated(const Entry& e) { return e.version > 1 && e.updated_at != e.published_at; }

void render_entry(std::string& out, const Entry& e, Placement placement, const Labels& l) {
    out += "<article class=\"entry";
    if (e.key_event) out += " key-event";
    if (e.pinned) out += " is-pinned";
    out += "\" id=\"" + html_escape(anchor_id(e, placement)) + "\" data-entry-id=\"" + html_escape(e.id) +
           "\" data-version=\"" + std::to_string(e.version) + "\">\n";

    out += "<header class=\"entry-meta\">";
    if (placement == Placement::pinned) out += std::string("<span class=\"pin-label\">") + l.pinned + "</span> ";
    append_time(out, e.published_at, l);
    out += " <span class=\"date\">" + long_date(utc(e.published_at), l) + "</span>";
    if (!e.author.empty()) out += " <span class=\"author\">" + html_escape(e.author) + "</span>";
    if (is_updated(e)) {
        out += std::string(" <span class=\"updated\">") + l.updated + " ";
        append_time(out, e.updated_at, l);
        out += "</span>";
    }
    out += "</header>\n";

    if (e.title && !e.title->empty()) out += "<h2 class=\"entry-title\">" + html_escape(*e.title) + "</h2>\n";
    for (const auto& block : blocks_of(e)) render_block(out, block);
    for (const auto& c : e.corrections) {
        out += std::string("<p class=\"correction\">") + l.corrected + " ";
        append_time(out, c.at, l);
        out += l.note_sep + html_escape(c.note) + "</p>\n";
    }
    out += "</article>\n";
}

struct Rendered {
    const Entry* entry;
    Placement placement;  // where its anchor is
};

// The distinct entries a page shows, newest first: the stream, plus (on the
// live page) pinned entries older than the stream's first page.
std::vector<Rendered> rendered_entries(const StorySnapshot& snap, bool with_pinned) {
    std::vector<Rendered> out;
    std::unordered_set<std::string> seen;
    for (const auto& e : snap.page.entries)
        if (!e.deleted && seen.insert(e.id).second) out.push_back({&e, Placement::stream});
    if (with_pinned)
        for (const auto& e : snap.pinned)
            if (!e.deleted && seen.insert(e.id).second) out.push_back({&e, Placement::pinned});
    std::stable_sort(out.begin(), out.end(), [](const Rendered& a, const Rendered& b) {
        return a.entry->created_seq > b.entry->created_seq;
    });
    return out;
}

// ---------------------------------------------------------------------------
// JSON-LD: schema.org LiveBlogPosting
// ---------------------------------------------------------------------------

std::string story_path(const Story& s) { return "/stories/" + s.id; }

ordered_json live_blog_posting(const Story& s, const std::vector<Rendered>& rendered) {
    ordered_json j;
    j["@context"] = "https://schema.org";
    j["@type"] = "LiveBlogPosting";
    j["headline"] = s.title;
    j["description"] = s.summary;
    j["url"] = story_path(s);
    if (!s.lang.empty()) j["inLanguage"] = s.lang;
    j["datePublished"] = format_iso8601(s.created_at);
    j["dateModified"] = format_iso8601(s.updated_at);
    j["coverageStartTime"] = format_iso8601(s.created_at);
    // Only an ended story has an end; a live or paused one may go on.
    if (s.status == StoryStatus::ended) j["coverageEndTime"] = format_iso8601(s.updated_at);
    if (auto image = image_address(s.lead_image); !image.empty()) j["image"] = image;
    if (s.related.is_array() && !s.related.empty()) {
        ordered_json links = ordered_json::array();
        for (const auto& link : s.related)
            if (auto url = json_string(link, "url"); is_http_url(url)) links.push_back(url);
        j["relatedLink"] = std::move(links);
    }
    ordered_json updates = ordered_json::array();
    for (const auto& r : rendered) {
        const Entry& e = *r.entry;
        ordered_json u;
        u["@type"] = "BlogPosting";
        u["headline"] = entry_headline(e);
        u["url"] = story_path(s) + "#" + anchor_id(e, r.placement);
        u["datePublished"] = format_iso8601(e.published_at);
        u["dateModified"] = format_iso8601(e.updated_at);
        u["articleBody"] = entry_plain_text(e);
        u["author"] = {{"@type", "Person"}, {"name", e.author}};
        if (const auto image = first_image(e); !image.empty()) u["image"] = image;
        if (!e.corrections.empty()) {
            ordered_json cs = ordered_json::array();
            for (const auto& c : e.corrections)
                cs.push_back({{"@type", "CorrectionComment"}, {"text", c.note}, {"datePublished", format_iso8601(c.at)}});
            u["correction"] = std::move(cs);
        }
        updates.push_back(std::move(u));
    }
    j["liveBlogUpdate"] = std::move(updates);
    return j;
}

void append_json_ld(std::string& out, const ordered_json& j) {
    out += "<script type=\"application/ld+json\">";
    // Stored text is valid UTF-8; replacing rather than throwing keeps a bad
    // byte from taking the page down.
    out += escape_json_for_script(j.dump(-1, ' ', false, json::error_handler_t::replace));
    out += "</script>\n";
}

// ---------------------------------------------------------------------------
// Document
// ---------------------------------------------------------------------------

// Readable from 360 px up, system fonts, contrast at least 4.5:1 in both
// colour schemes.
constexpr const char* style_sheet = R"css(
:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#555;--bg:#fff;--line:#ddd;--card:#f4f4f4;--accent:#b0001a}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--muted:#b5b5b5;--bg:#131313;--line:#383838;--card:#1f1f1f;--accent:#ff7a85}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{max-width:44rem;margin:0 auto;padding:1rem 1rem 3rem}
h1{font-size:1.875rem;line-height:1.2;margin:.5rem 0}
h2{font-size:1.25rem;line-height:1.3;margin:.5rem 0}
h3{font-size:1.0625rem;margin:1rem 0 .25rem}
a{color:inherit;text-decoration-thickness:1px;text-underline-offset:2px}
p,li,blockquote,figcaption{overflow-wrap:break-word}
img{max-width:100%;height:auto;display:block}
.summary{font-size:1.125rem;color:var(--muted)}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.25rem;font-size:.8125rem;font-weight:700;letter-spacing:.03em;text-transform:uppercase}
.badge-live{background:#b0001a;color:#fff}
.badge-paused{background:#ffd25c;color:#1b1b1b}
.badge-ended{background:#555;color:#fff}
.pinned-entries{background:var(--card);border-radius:.5rem;padding:0 1rem;margin:1rem 0}
.pin-label{font-weight:700;color:var(--accent)}
.key-events{border:1px solid var(--line);border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}
.key-events ul{margin:0;padding-left:1.25rem}
.key-events time{font-weight:700;margin-right:.25rem}
.tz-note{font-size:.8125rem;color:var(--muted)}
.entry{border-top:1px solid var(--line);padding:1rem 0}
.pinned-entries .entry{border-top:0}
.entry.key-event{border-left:4px solid var(--accent);padding-left:.75rem}
.entry-meta{font-size:.875rem;color:var(--muted)}
.entry-meta time{font-weight:700;color:var(--fg)}
.author{font-weight:600}
.updated{font-style:italic}
.correction{font-size:.875rem;color:var(--muted);border-left:3px solid #b8860b;padding-left:.5rem;margin:.5rem 0 0}
blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid var(--line)}
blockquote p{font-style:italic;margin:0}
blockquote footer{font-size:.875rem;color:var(--muted)}
figure{margin:1rem 0}
figcaption{font-size:.875rem;color:var(--muted);margin-top:.25rem}
.credit{font-style:italic}
a.embed{display:block;border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:1rem 0;text-decoration:none;overflow-wrap:anywhere}
.embed-host{display:block;font-weight:700}
.embed-url{display:block;font-size:.875rem;color:var(--muted)}
picture{display:block}
.story-lead:empty{display:none}
.lead-image{margin:1rem 0 1.5rem}
.embed-card{margin:1rem 0;padding:.75rem 1rem;border:1px solid var(--line);border-radius:.5rem;overflow-wrap:anywhere}
.embed-thumb{display:block;margin-bottom:.75rem}
.embed-thumb img{border-radius:.25rem}
.embed-card blockquote{margin:0;padding:0;border-left:0}
.embed-card blockquote p{margin:0 0 .5rem;font-style:normal}
.embed-author{font-weight:600;color:var(--fg)}
.embed-provider{font-weight:700}
.related{margin:2rem 0 0;padding-top:.5rem;border-top:2px solid var(--line)}
.related[hidden]{display:none}
.related ul{margin:0;padding-left:1.25rem}
.related li{padding:.2rem 0}
.pager,.back{margin:1.5rem 0;font-weight:600}
.story-list{list-style:none;margin:0;padding:0}
.story-list li{border-top:1px solid var(--line);padding:1rem 0}
@media (max-width:30rem){body{font-size:1rem}.page{padding:.75rem .75rem 2rem}h1{font-size:1.5rem}.entry.key-event{padding-left:.5rem}}
)css";

void open_document(std::string& out, std::string_view lang, std::string_view title, std::string_view description) {
    out += "<!DOCTYPE html>\n<html lang=\"" + html_escape(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + html_escape(title) + "</title>\n";
    if (!description.empty()) out += "<meta name=\"description\" content=\"" + html_escape(description) + "\">\n";
    out += "<style>";
    out += style_sheet;
    out += "</style>\n";
}

}  // namespace

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

std::string render_story_page(const StorySnapshot& snap, Seq before, const std::string& lang_hint,
                              const PageAssets& assets) {
    const Story& s = snap.story;
    const Labels& l = labels_for(s.lang.empty() ? lang_hint : s.lang);
    const bool live_page = before == 0;
    const auto rendered = rendered_entries(snap, live_page);

    std::string out;
    out.reserve(16 * 1024);
    const std::string title = live_page ? s.title : s.title + " — " + l.older_entries;
    open_document(out, s.lang.empty() ? std::string_view(l.lang) : std::string_view(s.lang), title, s.summary);
    // Discovery: feed readers find the feeds, CMSes embedding by URL the oEmbed endpoint.
    const std::string path = html_escape(story_path(s));
    out += "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"" + path + "/feed.atom\" title=\"" +
           html_escape(s.title) + "\">\n";
    out += "<link rel=\"alternate\" type=\"application/feed+json\" href=\"" + path + "/feed.json\" title=\"" +
           html_escape(s.title) + "\">\n";
    out += "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"/oembed?url=%2Fstories%2F" +
           html_escape(s.id) + "\" title=\"" + html_escape(s.title) + "\">\n";
    append_json_ld(out, live_blog_posting(s, rendered));
    out += "</head>\n";

    // What the reader script resumes from: subscribing with since = data-seq
    // replays exactly what happened after this page was rendered.
    out += "<body data-story=\"" + html_escape(s.id) + "\" data-seq=\"" + std::to_string(s.seq) +
           "\" data-epoch=\"" + html_escape(s.epoch) + "\" data-status=\"" + to_string(s.status) + "\"";
    if (!live_page) out += " data-before=\"" + std::to_string(before) + "\"";
    out += ">\n<div class=\"page\">\n";

    out += "<header class=\"story-header\">\n<p class=\"story-status\">";
    append_badge(out, s.status, l);
    out += "</p>\n<h1>" + html_escape(s.title) + "</h1>\n";
    if (!s.summary.empty()) out += "<p class=\"summary\">" + html_escape(s.summary) + "</p>\n";
    out += "</header>\n";
    // Always there, empty when there is none: a live story.updated fills it.
    out += "<div id=\"story-lead\" class=\"story-lead\">";
    render_lead_image(out, s.lead_image);
    out += "</div>\n<main>\n";

    if (!live_page)
        out += "<p class=\"back\"><a href=\"" + html_escape(story_path(s)) + "\">← " + l.back_to_live + "</a></p>\n";

    if (live_page && !snap.pinned.empty()) {
        out += std::string("<section class=\"pinned-entries\" aria-label=\"") + l.pinned + "\">\n";
        for (const auto& e : snap.pinned)
            if (!e.deleted) render_entry(out, e, Placement::pinned, l);
        out += "</section>\n";
    }

    const bool any_key_event =
        std::any_of(rendered.begin(), rendered.end(), [](const Rendered& r) { return r.entry->key_event; });
    if (any_key_event) {
        out += std::string("<nav class=\"key-events\" aria-labelledby=\"key-events-title\">\n"
                           "<h2 id=\"key-events-title\">") +
               l.key_events + "</h2>\n<ul>\n";
        for (const auto& r : rendered) {
            if (!r.entry->key_event) continue;
            out += "<li><a href=\"#" + html_escape(anchor_id(*r.entry, r.placement)) + "\">";
            out += "<time datetime=\"" + format_iso8601(r.entry->published_at) + "\">" +
                   hh_mm(utc(r.entry->published_at)) + "</time> ";
            out += html_escape(entry_headline(*r.entry)) + "</a></li>\n";
        }
        out += "</ul>\n</nav>\n";
    }

    out += std::string("<section class=\"entries\" aria-label=\"") + l.entries + "\">\n";
    out += std::string("<p class=\"tz-note\">") + l.times_in_utc + "</p>\n";
    for (const auto& e : snap.page.entries)
        if (!e.deleted) render_entry(out, e, Placement::stream, l);
    if (snap.page.entries.empty()) out += std::string("<p class=\"empty\">") + l.no_entries + "</p>\n";
    out += "</section>\n";

    if (snap.page.has_more && !snap.page.entries.empty()) {
        const Seq next_before = snap.page.entries.back().created_seq;
        out += "<nav class=\"pager\"><a href=\"" + html_escape(story_path(s)) + "?before=" +
               std::to_string(next_before) + "\" rel=\"next\">" + l.older_entries + " →</a></nav>\n";
    }

    // Hidden, not absent, when empty: a live story.updated fills it.
    std::string related;
    render_related_items(related, s.related);
    out += "<aside id=\"related\" class=\"related\" aria-labelledby=\"related-title\"";
    if (related.empty()) out += " hidden";
    out += std::string("><h2 id=\"related-title\">") + l.related + "</h2><ul>" + related + "</ul></aside>\n";

    out += "</main>\n</div>\n";
    // The import map's JSON holds only URLs of our files; "</" cannot occur in it.
    if (!assets.import_map.empty()) out += "<script type=\"importmap\">" + assets.import_map + "</script>\n";
    out += "<script type=\"module\" src=\"" + html_escape(assets.script) + "\" data-stylesheet=\"" +
           html_escape(assets.stylesheet) + "\"></script>\n";
    out += "</body>\n</html>\n";
    return out;
}

FeedEntry render_feed_entry(const Entry& e, std::string_view lang, std::string_view base) {
    const Labels& l = labels_for(lang);
    FeedEntry f;
    if (e.title && !e.title->empty()) f.html += "<h2>" + html_escape(*e.title) + "</h2>\n";
    for (const auto& block : blocks_of(e)) render_block(f.html, block, base);
    for (const auto& c : e.corrections) {
        f.html += std::string("<p class=\"correction\">") + l.corrected + " ";
        append_time(f.html, c.at, l);
        f.html += l.note_sep + html_escape(c.note) + "</p>\n";
    }
    f.headline = entry_headline(e);
    f.text = entry_plain_text(e);
    if (auto image = first_image(e); !image.empty()) f.image = image.front() == '/' ? std::string(base) + image : image;
    return f;
}

std::string render_story_list(const std::vector<Story>& stories) {
    // The page speaks French when every story does; a mixed list falls back
    // to English, and each item carries its own lang.
    const bool all_french = !stories.empty() && std::all_of(stories.begin(), stories.end(),
                                                            [](const Story& s) { return is_french(s.lang); });
    const Labels& l = all_french ? french : english;

    std::string out;
    out.reserve(4 * 1024 + stories.size() * 512);
    open_document(out, l.lang, l.stories, "");
    out += "</head>\n<body>\n<div class=\"page\">\n<header class=\"site-header\"><h1>";
    out += l.stories;
    out += "</h1></header>\n<main>\n";
    if (stories.empty()) {
        out += std::string("<p class=\"empty\">") + l.no_stories + "</p>\n";
    } else {
        out += "<ul class=\"story-list\">\n";
        for (const auto& s : stories) {
            const Labels& sl = labels_for(s.lang);
            out += "<li";
            if (!s.lang.empty()) out += " lang=\"" + html_escape(s.lang) + "\"";
            out += "><article class=\"story-card\">\n<p class=\"story-status\">";
            append_badge(out, s.status, sl);
            out += " <span class=\"updated\">" + std::string(sl.updated) + " ";
            out += "<time datetime=\"" + format_iso8601(s.updated_at) + "\">" + long_date(utc(s.updated_at), sl) +
                   sl.date_time_sep + hh_mm(utc(s.updated_at)) + " UTC</time></span></p>\n";
            out += "<h2><a href=\"" + html_escape(story_path(s)) + "\">" + html_escape(s.title) + "</a></h2>\n";
            if (!s.summary.empty()) out += "<p class=\"summary\">" + html_escape(s.summary) + "</p>\n";
            out += "</article></li>\n";
        }
        out += "</ul>\n";
    }
    out += "</main>\n</div>\n</body>\n</html>\n";
    return out;
}

}  // namespace liveblog
