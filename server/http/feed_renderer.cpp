#include "http/feed_renderer.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "http/html.hpp"
#include "http/page_renderer.hpp"

namespace liveblog {

namespace {

std::string story_url(const Story& s, std::string_view base) { return std::string(base) + "/stories/" + s.id; }
std::string entry_url(const Story& s, const Entry& e, std::string_view base) {
    return story_url(s, base) + "#entry-" + e.id;
}

// The feed changed when the story or any entry in it last did.
Millis feed_updated(const Story& s, const std::vector<Entry>& entries) {
    Millis t = s.updated_at;
    for (const auto& e : entries) t = std::max(t, e.updated_at);
    return t;
}

}  // namespace

std::string render_atom_feed(const Story& s, const std::vector<Entry>& entries, std::string_view base) {
    // html_escape writes &amp; &lt; &gt; &quot; &#39;: all valid XML, for text and attributes.
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"";
    if (!s.lang.empty()) out += " xml:lang=\"" + html_escape(s.lang) + "\"";
    out += ">\n";
    out += "<id>" + html_escape(story_url(s, base)) + "</id>\n";
    out += "<title>" + html_escape(s.title) + "</title>\n";
    if (!s.summary.empty()) out += "<subtitle>" + html_escape(s.summary) + "</subtitle>\n";
    out += "<updated>" + format_iso8601(feed_updated(s, entries)) + "</updated>\n";
    out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + html_escape(story_url(s, base)) + "\"/>\n";
    out += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" + html_escape(story_url(s, base)) +
           "/feed.atom\"/>\n";
    out += "<generator>liveblog</generator>\n";
    // Atom wants an author for the feed unless every entry has one.
    const bool all_authored =
        std::all_of(entries.begin(), entries.end(), [](const Entry& e) { return !e.author.empty(); });
    if (!all_authored || entries.empty()) out += "<author><name>" + html_escape(s.title) + "</name></author>\n";
    for (const auto& e : entries) {
        const auto f = render_feed_entry(e, s.lang, base);
        out += "<entry>\n<id>" + html_escape(entry_url(s, e, base)) + "</id>\n";
        out += "<title>" + html_escape(f.headline.empty() ? s.title : f.headline) + "</title>\n";
        out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + html_escape(entry_url(s, e, base)) + "\"/>\n";
        out += "<published>" + format_iso8601(e.published_at) + "</published>\n";
        out += "<updated>" + format_iso8601(e.updated_at) + "</updated>\n";
        if (!e.author.empty()) out += "<author><name>" + html_escape(e.author) + "</name></author>\n";
        if (e.key_event) out += "<category term=\"key-event\" label=\"Key event\"/>\n";
        out += "<content type=\"html\">" + html_escape(f.html) + "</content>\n</entry>\n";
    }
    out += "</feed>\n";
    return out;
}

std::string render_json_feed(const Story& s, const std::vector<Entry>& entries, std::string_view base) {
    nlohmann::ordered_json j;
    j["version"] = "https://jsonfeed.org/version/1.1";
    j["title"] = s.title;
    j["home_page_url"] = story_url(s, base);
    j["feed_url"] = story_url(s, base) + "/feed.json";
    if (!s.summary.empty()) j["description"] = s.summary;
    if (!s.lang.empty()) j["language"] = s.lang;
    auto items = nlohmann::ordered_json::array();
    for (const auto& e : entries) {
        const auto f = render_feed_entry(e, s.lang, base);
        nlohmann::ordered_json item;
        item["id"] = e.id;
        item["url"] = entry_url(s, e, base);
        if (!f.headline.empty()) item["title"] = f.headline;
        item["content_html"] = f.html;
        item["content_text"] = f.text;
        if (!f.image.empty()) item["image"] = f.image;
        item["date_published"] = format_iso8601(e.published_at);
        item["date_modified"] = format_iso8601(e.updated_at);
        if (!e.author.empty()) item["authors"] = nlohmann::ordered_json::array({{{"name", e.author}}});
        if (e.key_event) item["tags"] = nlohmann::ordered_json::array({"key-event"});
        items.push_back(std::move(item));
    }
    j["items"] = std::move(items);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_embed_page(const Story& s, const EmbedOptions& o, std::string_view import_map,
                              std::string_view embed_script, std::string_view frame_script) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"" + html_escape(s.lang.empty() ? "fr" : s.lang) + "\">\n<head>\n";
    out += "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + html_escape(s.title) + "</title>\n";
    out += "<meta name=\"robots\" content=\"noindex\">\n";  // the story's own page is the one to index
    out += "<style>html,body{margin:0;background:transparent}</style>\n";
    if (!import_map.empty()) out += "<script type=\"importmap\">" + std::string(import_map) + "</script>\n";
    out += "<script type=\"module\" src=\"" + html_escape(embed_script) + "\"></script>\n";
    out += "<script type=\"module\" src=\"" + html_escape(frame_script) + "\"></script>\n</head>\n<body>\n";
    out += "<liveblog-story story=\"" + html_escape(s.id) + "\" lang=\"" + html_escape(s.lang) + "\"";
    if (o.limit) out += " data-limit=\"" + std::to_string(o.limit) + "\"";
    if (o.key_events_only) out += " data-key-events-only";
    if (o.oldest_first) out += " data-order=\"oldest\"";
    // Without JavaScript: a link to the story's page.
    out += "><a href=\"/stories/" + html_escape(s.id) + "\" target=\"_top\">" + html_escape(s.title) +
           "</a></liveblog-story>\n</body>\n</html>\n";
    return out;
}

std::string render_oembed(const Story& s, std::string_view base, unsigned width, unsigned height) {
    const std::string src = std::string(base) + "/embed/stories/" + s.id;
    nlohmann::ordered_json j;
    j["version"] = "1.0";
    j["type"] = "rich";
    j["provider_name"] = "liveblog";
    j["provider_url"] = std::string(base) + "/";
    j["title"] = s.title;
    j["width"] = width;
    j["height"] = height;
    j["cache_age"] = 3600;
    j["html"] = "<iframe src=\"" + html_escape(src) + "\" width=\"" + std::to_string(width) + "\" height=\"" +
                std::to_string(height) + "\" style=\"border:0;max-width:100%\" title=\"" + html_escape(s.title) +
                "\" loading=\"lazy\"></iframe>";
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace liveblog
