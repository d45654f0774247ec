#include "core/validation.hpp"

#include "common/utf8.hpp"

namespace liveblog {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------
// Characters
// ---------------------------------------------------------------------------

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }

// Decodes the code point at s[i] and advances i. Precondition: s is valid
// UTF-8 (every caller checks is_valid_utf8 first), so no bounds or range checks.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c < 0x80) {
        i += 1;
        return c;
    }
    if (c < 0xE0) {
        char32_t cp = ((c & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
        i += 2;
        return cp;
    }
    if (c < 0xF0) {
        char32_t cp = ((c & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
        i += 3;
        return cp;
    }
    char32_t cp = ((c & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) | ((b(i + 2) & 0x3Fu) << 6) |
                  (b(i + 3) & 0x3Fu);
    i += 4;
    return cp;
}

// C0, DEL and C1: none has a place in published text, and C1 (U+0080..U+009F)
// includes NEL, which some renderers treat as a line break.
bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// White space and invisible separators: a text made only of these would render
// as nothing, so it counts as empty.
bool is_blank_code_point(char32_t cp) {
    switch (cp) {
        case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
        case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
        case 0x205F: case 0x2060: case 0x3000: case 0xFEFF:
            return true;
        default:
            return cp >= 0x2000 && cp <= 0x200D;  // en quad .. zero-width joiner
    }
}

// In URLs: never a space of any kind, never a control, never an invisible.
bool is_forbidden_in_url(char32_t cp) { return is_control(cp) || is_blank_code_point(cp); }

bool is_blank(std::string_view s) {
    for (std::size_t i = 0; i < s.size();)
        if (!is_blank_code_point(next_code_point(s, i))) return false;
    return true;
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// ---------------------------------------------------------------------------
// URL authority: host, optional port. No userinfo: "https://trusted.example@evil.example"
// only fools readers.
// ---------------------------------------------------------------------------

bool is_valid_port(std::string_view port) {
    if (port.empty() || port.size() > 5) return false;
    unsigned value = 0;
    for (char c : port) {
        if (!is_ascii_digit(c)) return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value <= 65535;
}

bool is_valid_authority(std::string_view authority) {
    if (authority.empty()) return false;
    std::string_view rest;
    if (authority.front() == '[') {  // IPv6 literal
        const auto close = authority.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        for (char c : authority.substr(1, close - 1))
            if (!(is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
                  c == '.'))
                return false;
        rest = authority.substr(close + 1);
    } else {
        const auto colon = authority.find(':');
        const auto host = authority.substr(0, colon);
        bool has_label_char = false;
        for (char c : host) {
            const auto u = static_cast<unsigned char>(c);
            // Bytes >= 0x80 are an internationalised name, already checked as UTF-8.
            if (is_ascii_alnum(c) || u >= 0x80) {
                has_label_char = true;
            } else if (c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        if (!has_label_char) return false;
        rest = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon);
    }
    if (rest.empty()) return true;
    return rest.front() == ':' && is_valid_port(rest.substr(1));
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& path, std::string_view problem) {
    std::string message = path;
    message += ": ";
    message += problem;
    throw Error{ErrorCode::invalid_content, std::move(message)};
}

std::string bytes_limit(std::size_t max_bytes) {
    return "longer than " + std::to_string(max_bytes) + " bytes";
}

// ---------------------------------------------------------------------------
// Text fields
// ---------------------------------------------------------------------------

// Every `](` opens a link target ([label](target)); the target runs to the
// parenthesis that balances it, as in CommonMark, so Wikipedia-style
// "…/Foo_(bar)" URLs stay whole. A renderer that stops at the first ')'
// instead still sees the scheme and host checked here, since a host never
// holds ')'. An unterminated target is refused rather than guessed at.
void check_link_targets(const std::string& path, std::string_view text, const ContentLimits& limits) {
    for (auto open = text.find("]("); open != std::string_view::npos; open = text.find("](", open + 2)) {
        const std::size_t start = open + 2;
        std::size_t depth = 0, end = start;
        for (; end < text.size(); ++end) {
            if (text[end] == '(') {
                ++depth;
            } else if (text[end] == ')') {
                if (depth == 0) break;
                --depth;
            }
        }
        if (end == text.size()) fail(path, "unterminated link target");
        const auto target = text.substr(start, end - start);
        if (target.size() > limits.max_url_bytes || !is_http_url(target))
            fail(path, "link target must be an http(s) URL");
    }
}

enum class Lines { single, multiple };
// Whether a text may hold inline marks (and so links, whose targets are
// checked), or is plain text shown as it is (an embed card's fields).
enum class Marks { inline_marks, plain };

void check_text(const std::string& path, const std::string& value, std::size_t max_bytes, Lines lines,
                const ContentLimits& limits, Marks marks = Marks::inline_marks) {
    if (value.size() > max_bytes) fail(path, bytes_limit(max_bytes));
    // nlohmann only guarantees UTF-8 for strings it parsed, not for ones built in code.
    if (!is_valid_utf8(value)) fail(path, "not valid UTF-8");
    bool blank = true;
    for (std::size_t i = 0; i < value.size();) {
        const char32_t cp = next_code_point(value, i);
        if (is_control(cp) && !(lines == Lines::multiple && (cp == U'\n' || cp == U'\t')))
            fail(path, "contains a control character");
        if (blank && !is_blank_code_point(cp)) blank = false;
    }
    if (blank) fail(path, "must not be empty");
    if (marks == Marks::inline_marks) check_link_targets(path, value, limits);
}

// ---------------------------------------------------------------------------
// Block fields
// ---------------------------------------------------------------------------

// A JSON null counts as absent: clients commonly send `"caption": null`.
const json* find_field(const json& block, const char* key) {
    const auto it = block.find(key);
    if (it == block.end() || it->is_null()) return nullptr;
    return &*it;
}

const std::string& required_string(const json& block, const std::string& path, const char* key) {
    const json* v = find_field(block, key);
    if (!v || !v->is_string()) fail(path + "." + key, "required string");
    return v->get_ref<const std::string&>();
}

// Absent, null or blank: none (an empty form field means "no caption").
const std::string* optional_string(const json& block, const std::string& path, const char* key) {
    const json* v = find_field(block, key);
    if (!v) return nullptr;
    if (!v->is_string()) fail(path + "." + key, "must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (is_valid_utf8(s) && is_blank(s)) return nullptr;
    return &s;
}

void copy_text(json& out, const json& block, const std::string& path, const char* key, std::size_t max_bytes,
               Lines lines, const ContentLimits& limits, Marks marks = Marks::inline_marks) {
    const auto& s = required_string(block, path, key);
    check_text(path + "." + key, s, max_bytes, lines, limits, marks);
    out[key] = s;
}

void copy_optional_text(json& out, const json& block, const std::string& path, const char* key,
                        std::size_t max_bytes, Lines lines, const ContentLimits& limits,
                        Marks marks = Marks::inline_marks) {
    if (const auto* s = optional_string(block, path, key)) {
        check_text(path + "." + key, *s, max_bytes, lines, limits, marks);
        out[key] = *s;
    }
}

// An image's intrinsic size, in pixels: optional; width and height together
// or neither (a page reserves the space only when it knows the ratio).
void copy_optional_dimensions(json& out, const json& block, const std::string& path) {
    const json* w = find_field(block, "width");
    const json* h = find_field(block, "height");
    if (!w && !h) return;
    if (!w || !h) fail(path + (w ? ".height" : ".width"), "width and height go together");
    for (auto [key, v] : {std::pair{"width", w}, std::pair{"height", h}}) {
        if (!v->is_number_integer() || v->get<std::int64_t>() < 1 || v->get<std::int64_t>() > 100000)
            fail(path + "." + key, "must be a whole number of pixels, 1 to 100000");
        out[key] = v->get<std::int64_t>();
    }
}

void check_url(const std::string& path, const std::string& s, const ContentLimits& limits) {
    if (s.size() > limits.max_url_bytes) fail(path, bytes_limit(limits.max_url_bytes));
    if (!is_http_url(s)) fail(path, "must be an http(s) URL");
}

void copy_url(json& out, const json& block, const std::string& path, const char* key, const ContentLimits& limits) {
    const auto& s = required_string(block, path, key);
    check_url(path + "." + key, s, limits);
    out[key] = s;
}

void copy_optional_url(json& out, const json& block, const std::string& path, const char* key,
                       const ContentLimits& limits) {
    if (const auto* s = optional_string(block, path, key)) {
        check_url(path + "." + key, *s, limits);
        out[key] = *s;
    }
}

// An uploaded image, by id: its size comes from the catalog, whatever the
// client said (a page must not reserve a wrong ratio, nor list widths that
// are not there).
void copy_media(json& out, const json& block, const std::string& path, const ContentLimits& limits) {
    const json* media = find_field(block, "media");
    const auto media_path = path + ".media";
    if (!media || !media->is_string()) fail(media_path, "required string (an uploaded image's id)");
    const auto& id = media->get_ref<const std::string&>();
    if (!is_valid_media_id(id)) fail(media_path, "must be an uploaded image's id (32 lowercase hex digits)");
    auto info = limits.media ? limits.media->find(id) : std::nullopt;
    if (!info) fail(media_path, "no such media: upload it first");
    out["media"] = id;
    out["width"] = info->width;
    out["height"] = info->height;
    out["widths"] = info->widths;
}

// Where an image's pixels come from: an upload (`media`) or an address
// (`src`, with an optional intrinsic size), never both.
void copy_image_source(json& out, const json& block, const std::string& path, const ContentLimits& limits) {
    if (find_field(block, "media")) {
        if (find_field(block, "src")) fail(path + ".src", "give src or media, not both");
        copy_media(out, block, path, limits);
    } else {
        copy_url(out, block, path, "src", limits);
        copy_optional_dimensions(out, block, path);
    }
}

// The fields of an image block, without its type (a lead image is one).
void copy_image(json& out, const json& block, const std::string& path, const ContentLimits& limits) {
    copy_image_source(out, block, path, limits);
    copy_text(out, block, path, "alt", limits.max_short_bytes, Lines::single, limits);
    copy_optional_text(out, block, path, "caption", limits.max_text_bytes, Lines::multiple, limits);
    copy_optional_text(out, block, path, "credit", limits.max_short_bytes, Lines::single, limits);
}

// An embed's captured card (POST /api/embeds): plain text only, never HTML
// nor marks; its thumbnail must be an upload, so a reader's browser never
// asks the provider for anything.
void copy_optional_card(json& out, const json& block, const std::string& path, const ContentLimits& limits) {
    const json* card = find_field(block, "card");
    if (!card) return;
    const auto card_path = path + ".card";
    if (!card->is_object()) fail(card_path, "must be an object");
    json c = json::object();
    const auto short_bytes = limits.max_short_bytes;
    copy_text(c, *card, card_path, "provider", short_bytes, Lines::single, limits, Marks::plain);
    copy_optional_text(c, *card, card_path, "author", short_bytes, Lines::single, limits, Marks::plain);
    copy_optional_url(c, *card, card_path, "author_url", limits);
    copy_optional_text(c, *card, card_path, "title", short_bytes, Lines::single, limits, Marks::plain);
    copy_optional_text(c, *card, card_path, "text", limits.max_card_text_bytes, Lines::multiple, limits,
                       Marks::plain);
    copy_optional_text(c, *card, card_path, "date", short_bytes, Lines::single, limits, Marks::plain);
    if (const json* thumb = find_field(*card, "thumbnail")) {
        const auto thumb_path = card_path + ".thumbnail";
        if (!thumb->is_object()) fail(thumb_path, "must be an object {\"media\": id}");
        json t = json::object();
        copy_media(t, *thumb, thumb_path, limits);
        c["thumbnail"] = std::move(t);
    }
    out["card"] = std::move(c);
}

json validate_block(const json& block, const std::string& path, const ContentLimits& limits) {
    if (!block.is_object()) fail(path, "must be an object");
    const auto& type = required_string(block, path, "type");

    json out = json::object();
    out["type"] = type;
    if (type == "text" || type == "heading") {
        copy_text(out, block, path, "text", limits.max_text_bytes, Lines::multiple, limits);
    } else if (type == "quote") {
        copy_text(out, block, path, "text", limits.max_text_bytes, Lines::multiple, limits);
        copy_optional_text(out, block, path, "cite", limits.max_short_bytes, Lines::single, limits);
    } else if (type == "image") {
        copy_image(out, block, path, limits);
    } else if (type == "embed") {
        copy_url(out, block, path, "url", limits);
        copy_optional_card(out, block, path, limits);
    } else if (type == "list") {
        const json* items = find_field(block, "items");
        const auto items_path = path + ".items";
        if (!items || !items->is_array()) fail(items_path, "required array of strings");
        if (items->empty() || items->size() > limits.max_list_items)
            fail(items_path, "must hold 1 to " + std::to_string(limits.max_list_items) + " items");
        json out_items = json::array();
        for (std::size_t i = 0; i < items->size(); ++i) {
            const auto item_path = items_path + "[" + std::to_string(i) + "]";
            const auto& item = (*items)[i];
            if (!item.is_string()) fail(item_path, "must be a string");
            check_text(item_path, item.get_ref<const std::string&>(), limits.max_short_bytes, Lines::single,
                       limits);
            out_items.push_back(item);
        }
        out["items"] = std::move(out_items);
    } else {
        fail(path + ".type", "unknown block type");
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Public checks
// ---------------------------------------------------------------------------

bool is_valid_slug(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || is_ascii_digit(c) || c == '-')) return false;
    return true;
}

void check_slug(std::string_view id) {
    if (!is_valid_slug(id)) throw Error{ErrorCode::invalid_slug, "story id must match [a-z0-9-]{1,64}"};
}

// The shape of a BCP 47 tag, not its registry: "fr", "en-GB", "zh-Hant-TW",
// "es-419". Enough to keep junk out of <html lang>.
bool is_valid_lang(std::string_view lang) {
    if (lang.empty() || lang.size() > 35) return false;
    bool first = true;
    std::size_t start = 0;
    while (true) {
        const auto dash = lang.find('-', start);
        const auto subtag = lang.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
        if (first) {
            if (subtag.size() < 2 || subtag.size() > 3) return false;
            for (char c : subtag)
                if (!is_ascii_alpha(c)) return false;
            first = false;
        } else {
            if (subtag.empty() || subtag.size() > 8) return false;
            for (char c : subtag)
                if (!is_ascii_alnum(c)) return false;
        }
        if (dash == std::string_view::npos) return true;
        start = dash + 1;
    }
}

bool is_http_url(std::string_view url) {
    std::size_t scheme_end;
    if (starts_with_ignoring_case(url, "http://")) {
        scheme_end = 7;
    } else if (starts_with_ignoring_case(url, "https://")) {
        scheme_end = 8;
    } else {
        return false;
    }
    if (!is_valid_utf8(url)) return false;
    for (std::size_t i = 0; i < url.size();) {
        const char c = url[i];
        // Quotes, angle brackets, backslash and backtick are never needed
        // unescaped, and each has broken out of an attribute somewhere.
        if (c == '"' || c == '<' || c == '>' || c == '\\' || c == '`') return false;
        if (is_forbidden_in_url(next_code_point(url, i))) return false;
    }
    const auto rest = url.substr(scheme_end);
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) return false;
    return is_valid_authority(authority);
}

json validate_blocks(const json& blocks, const ContentLimits& limits) {
    if (!blocks.is_array()) fail("blocks", "required array of blocks");
    if (blocks.empty() || blocks.size() > limits.max_blocks)
        fail("blocks", "must hold 1 to " + std::to_string(limits.max_blocks) + " blocks");
    json out = json::array();
    for (std::size_t i = 0; i < blocks.size(); ++i)
        out.push_back(validate_block(blocks[i], "blocks[" + std::to_string(i) + "]", limits));
    return out;
}

json validate_lead_image(const json& image, const ContentLimits& limits) {
    if (!image.is_object()) fail("lead_image", "must be an object (an image block without its type), or null");
    json out = json::object();
    copy_image(out, image, "lead_image", limits);
    return out;
}

json validate_related(const json& related, const ContentLimits& limits) {
    if (!related.is_array()) fail("related", "must be an array of {title, url}");
    if (related.size() > limits.max_related)
        fail("related", "at most " + std::to_string(limits.max_related) + " links");
    json out = json::array();
    for (std::size_t i = 0; i < related.size(); ++i) {
        const auto path = "related[" + std::to_string(i) + "]";
        const auto& link = related[i];
        if (!link.is_object()) fail(path, "must be an object {title, url}");
        json l = json::object();
        copy_text(l, link, path, "title", limits.max_short_bytes, Lines::single, limits, Marks::plain);
        copy_url(l, link, path, "url", limits);
        out.push_back(std::move(l));
    }
    return out;
}

bool is_valid_media_id(std::string_view id) {
    if (id.size() != 32) return false;
    for (char c : id)
        if (!(is_ascii_digit(c) || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void check_short_text(std::string_view field, const std::string& value, std::size_t max_bytes) {
    check_text(std::string(field), value, max_bytes, Lines::single, ContentLimits{});
}

bool is_valid_author_name(const std::string& name) {
    try {
        check_short_text("author", name, ContentLimits{}.max_short_bytes);
        return true;
    } catch (const Error&) {
        return false;
    }
}

void check_summary(const std::string& value, const ContentLimits& limits) {
    if (value.empty()) return;  // no summary
    check_text("summary", value, limits.max_summary_bytes, Lines::multiple, limits);
}

void check_entry_size(const nlohmann::json& blocks, const ContentLimits& limits) {
    // dump() of a validated value: depth 3, valid UTF-8, cannot throw.
    const auto size = blocks.dump().size();
    if (size > limits.max_entry_bytes)
        fail("blocks", "longer than " + std::to_string(limits.max_entry_bytes) + " bytes in all, encoded (" +
                           std::to_string(size) + ")");
}

}  // namespace liveblog
