#include "http/block_html.hpp"

#include "core/media_catalog.hpp"
#include "core/validation.hpp"
#include "http/html.hpp"
#include "media/media_store.hpp"

namespace liveblog {

using nlohmann::json;

namespace {

constexpr const char* link_rel = "nofollow noopener noreferrer";

// The page column: 42rem of a 44rem page, or the viewport less its padding.
constexpr const char* image_sizes = "(min-width: 44rem) 42rem, calc(100vw - 2rem)";

// An upload's stored widths, when `image` names one properly; empty otherwise.
std::vector<std::uint32_t> media_widths(const json& image) {
    std::vector<std::uint32_t> widths;
    if (!is_valid_media_id(json_string(image, "media"))) return widths;
    const auto it = image.find("widths");
    if (it == image.end() || !it->is_array()) return widths;
    for (const auto& w : *it) {
        if (!w.is_number_unsigned() || w.get<std::uint64_t>() == 0 || w.get<std::uint64_t>() > 100000) return {};
        widths.push_back(static_cast<std::uint32_t>(w.get<std::uint64_t>()));
    }
    return widths;
}

// `base` prefixes the /media/ paths: empty on our own pages (relative),
// the server's origin in feeds, which are read elsewhere.
std::string srcset(std::string_view base, std::string_view id, const std::vector<std::uint32_t>& widths, bool webp) {
    std::string out;
    for (auto w : widths) {
        if (!out.empty()) out += ", ";
        out += std::string(base) + media::media_path(id, w, webp) + " " + std::to_string(w) + "w";
    }
    return out;
}

// width="…" height="…" when both are positive whole numbers.
void append_dimensions(std::string& out, const json& image) {
    const auto w = image.find("width"), h = image.find("height");
    if (w != image.end() && h != image.end() && w->is_number_integer() && h->is_number_integer() &&
        w->get<std::int64_t>() > 0 && h->get<std::int64_t>() > 0)
        out += " width=\"" + std::to_string(w->get<std::int64_t>()) + "\" height=\"" +
               std::to_string(h->get<std::int64_t>()) + "\"";
}

enum class Loading { lazy, eager_first };

// The picture of an image (an upload's <picture>, or an <img> of its src);
// nothing when it has neither. `alt` is the text given (empty for a
// decorative copy, such as an embed card's thumbnail).
void render_picture(std::string& out, const json& image, std::string_view alt, Loading loading, std::string_view base) {
    const char* load = loading == Loading::lazy ? " loading=\"lazy\"" : " fetchpriority=\"high\"";
    const auto widths = media_widths(image);
    if (!widths.empty()) {
        const auto id = json_string(image, "media");
        out += "<picture><source type=\"image/webp\" srcset=\"" + srcset(base, id, widths, true) + "\" sizes=\"" +
               image_sizes + "\">";
        out += "<img src=\"" + std::string(base) + media::media_path(id, media::fallback_width(widths), false) +
               "\" srcset=\"" + srcset(base, id, widths, false) + "\" sizes=\"" + image_sizes + "\" alt=\"" +
               html_escape(alt) + "\"";
        append_dimensions(out, image);
        out += load;
        out += " decoding=\"async\"></picture>";
        return;
    }
    // A src that is not http(s) is dropped: no javascript:, no data:.
    if (const auto src = json_string(image, "src"); is_http_url(src)) {
        out += "<img src=\"" + html_escape(src) + "\" alt=\"" + html_escape(alt) + "\"";
        // The intrinsic size reserves the image's space: no layout shift when it arrives.
        append_dimensions(out, image);
        out += load;
        out += " decoding=\"async\">";
    }
}

void render_figcaption(std::string& out, const json& image) {
    const auto caption = json_string(image, "caption");
    const auto credit = json_string(image, "credit");
    if (caption.empty() && credit.empty()) return;
    out += "<figcaption>";
    out += render_inline(caption);
    if (!credit.empty()) {
        if (!caption.empty()) out += ' ';
        out += "<span class=\"credit\">" + html_escape(credit) + "</span>";
    }
    out += "</figcaption>";
}

// A captured post (POST /api/embeds): plain text only, the thumbnail from
// our own /media/, the original one click away. Nothing loads from the provider.
void render_embed_card(std::string& out, std::string_view url, const json& card, std::string_view base) {
    const auto rel = std::string(" rel=\"") + link_rel + "\"";
    out += "<figure class=\"embed-card\">";
    if (const auto thumb = card.find("thumbnail"); thumb != card.end() && thumb->is_object() &&
                                                   !media_widths(*thumb).empty()) {
        // A second link to the same place: out of the tab order and hidden
        // from screen readers, which get the text link below.
        out += "<a class=\"embed-thumb\" href=\"" + html_escape(url) + "\"" + rel +
               " tabindex=\"-1\" aria-hidden=\"true\">";
        render_picture(out, *thumb, "", Loading::lazy, base);
        out += "</a>";
    }
    auto text = json_string(card, "text");
    if (text.empty()) text = json_string(card, "title");
    std::string paragraphs;
    for (std::size_t start = 0; start <= text.size();) {
        auto nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        const auto line = text.substr(start, nl - start);
        if (line.find_first_not_of(" \t") != std::string_view::npos) paragraphs += "<p>" + html_escape(line) + "</p>";
        start = nl + 1;
    }
    if (!paragraphs.empty()) out += "<blockquote cite=\"" + html_escape(url) + "\">" + paragraphs + "</blockquote>";
    out += "<figcaption>";
    if (const auto author = json_string(card, "author"); !author.empty())
        out += "<span class=\"embed-author\">" + html_escape(author) + "</span> ";
    out += "<span class=\"embed-provider\">" + html_escape(json_string(card, "provider")) + "</span> ";
    const auto date = json_string(card, "date");
    out += "<a class=\"embed-link\" href=\"" + html_escape(url) + "\"" + rel + ">" +
           html_escape(date.empty() ? std::string_view(display_host(url)) : date) + "</a>";
    out += "</figcaption></figure>\n";
}

}  // namespace

std::string_view json_string(const json& block, const char* key) {
    if (!block.is_object()) return {};
    const auto it = block.find(key);
    if (it == block.end() || !it->is_string()) return {};
    return it->get_ref<const std::string&>();
}

std::string display_host(std::string_view url) {
    auto rest = url.substr(url.find("://") + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    std::string host(rest);
    for (auto& c : host)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (host.rfind("www.", 0) == 0) host.erase(0, 4);
    return host;
}

void render_block(std::string& out, const json& block, std::string_view media_base) {
    const auto type = json_string(block, "type");
    if (type == "text") {
        out += "<p>" + render_inline(json_string(block, "text")) + "</p>\n";
    } else if (type == "heading") {
        out += "<h3>" + render_inline(json_string(block, "text")) + "</h3>\n";
    } else if (type == "quote") {
        out += "<blockquote><p>" + render_inline(json_string(block, "text")) + "</p>";
        if (const auto cite = json_string(block, "cite"); !cite.empty())
            out += "<footer>— <cite>" + html_escape(cite) + "</cite></footer>";
        out += "</blockquote>\n";
    } else if (type == "image") {
        out += "<figure>";
        render_picture(out, block, json_string(block, "alt"), Loading::lazy, media_base);
        render_figcaption(out, block);
        out += "</figure>\n";
    } else if (type == "embed") {
        const auto url = json_string(block, "url");
        const auto card = block.find("card");
        if (is_http_url(url) && card != block.end() && card->is_object() && !json_string(*card, "provider").empty()) {
            render_embed_card(out, url, *card, media_base);
        } else if (is_http_url(url)) {
            // A link card, never an iframe or a third-party script.
            out += "<a class=\"embed\" href=\"" + html_escape(url) + "\" rel=\"" + link_rel +
                   "\"><span class=\"embed-host\">" + html_escape(display_host(url)) +
                   "</span> <span class=\"embed-url\">" + html_escape(url) + "</span></a>\n";
        } else if (!url.empty()) {
            out += "<p class=\"embed\">" + html_escape(url) + "</p>\n";
        }
    } else if (type == "list") {
        const auto it = block.find("items");
        if (it == block.end() || !it->is_array()) return;
        out += "<ul>";
        for (const auto& item : *it)
            if (item.is_string()) out += "<li>" + render_inline(item.get_ref<const std::string&>()) + "</li>";
        out += "</ul>\n";
    }
    // Unknown types cannot be stored (validation); a newer one renders as nothing.
}

void render_lead_image(std::string& out, const json& image) {
    if (!image.is_object()) return;
    out += "<figure class=\"lead-image\">";
    render_picture(out, image, json_string(image, "alt"), Loading::eager_first, {});
    render_figcaption(out, image);
    out += "</figure>";
}

void render_related_items(std::string& out, const json& related) {
    if (!related.is_array()) return;
    for (const auto& link : related) {
        const auto url = json_string(link, "url");
        const auto title = json_string(link, "title");
        if (!is_http_url(url) || title.empty()) continue;
        out += "<li><a href=\"" + html_escape(url) + "\">" + html_escape(title) + "</a></li>";
    }
}

std::string image_address(const json& image) {
    const auto widths = media_widths(image);
    if (!widths.empty()) return media::media_path(json_string(image, "media"), widths.back(), false);
    if (const auto src = json_string(image, "src"); is_http_url(src)) return std::string(src);
    return {};
}

}  // namespace liveblog
