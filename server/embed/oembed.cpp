#include "embed/oembed.hpp"

#include <stdexcept>

#include "common/utf8.hpp"

namespace liveblog::embed {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool glob(std::string_view p, std::string_view s) {
    // Iterative with one backtrack point: linear enough for short patterns.
    std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
    while (si < s.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < p.size() && lower(p[pi]) == lower(s[si])) {
            ++pi;
            ++si;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

std::string percent_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// "&amp;" "&#39;" "&#x1F600;" at s[i] (s[i] == '&'); appends the character
// and returns the length consumed, or 0 when it is not an entity we know.
std::size_t decode_entity(std::string_view s, std::size_t i, std::string& out) {
    const auto end = s.find(';', i);
    if (end == std::string_view::npos || end - i > 10) return 0;
    const auto name = s.substr(i + 1, end - i - 1);
    static const std::pair<std::string_view, char32_t> named[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0},
        {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"laquo", 0xAB}, {"raquo", 0xBB},
        {"rsquo", 0x2019}, {"lsquo", 0x2018}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"middot", 0xB7},
    };
    char32_t cp = 0;
    if (!name.empty() && name[0] == '#') {
        const bool hexadecimal = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        auto digits = name.substr(hexadecimal ? 2 : 1);
        if (digits.empty()) return 0;
        for (char c : digits) {
            int v;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (hexadecimal && lower(c) >= 'a' && lower(c) <= 'f') v = lower(c) - 'a' + 10;
            else return 0;
            cp = cp * (hexadecimal ? 16 : 10) + static_cast<char32_t>(v);
            if (cp > 0x10FFFF) return 0;
        }
        // No surrogates, no controls (newline aside), no NUL.
        if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F)) cp = ' ';
    } else {
        for (const auto& [n, c] : named)
            if (n == name) cp = c;
        if (!cp) return 0;
    }
    append_utf8(out, cp);
    return end - i + 1;
}

bool is_tag(std::string_view html, std::size_t i, std::string_view name) {
    if (html.size() < i + 1 + name.size()) return false;
    for (std::size_t k = 0; k < name.size(); ++k)
        if (lower(html[i + 1 + k]) != name[k]) return false;
    const auto after = i + 1 + name.size();
    return after == html.size() || html[after] == '>' || html[after] == ' ' || html[after] == '/' ||
           html[after] == '\t' || html[after] == '\n';
}

// Position of the first "<name" / "</name" tag at or after `from` (case-insensitive).
std::size_t find_tag(std::string_view html, std::string_view name, std::size_t from, bool closing = false) {
    for (auto i = html.find('<', from); i != std::string_view::npos; i = html.find('<', i + 1)) {
        if (closing) {
            if (i + 1 < html.size() && html[i + 1] == '/' && is_tag(html.substr(i + 1), 0, name)) return i;
        } else if (is_tag(html, i, name)) {
            return i;
        }
    }
    return std::string_view::npos;
}

// Whitespace runs to one space (newlines kept, one at a time), trimmed.
std::string tidy(const std::string& in) {
    std::string out;
    bool space = false, newline = false;
    for (char c : in) {
        if (c == '\n') {
            newline = true;
            space = false;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            space = true;
        } else {
            if (!out.empty()) {
                if (newline) out += '\n';
                else if (space) out += ' ';
            }
            space = newline = false;
            out += c;
        }
    }
    return out;
}

// At most max bytes, cut at a character boundary.
std::string clip(std::string s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
    return s;
}

std::string one_line(std::string s, std::size_t max) {
    for (auto& c : s)
        if (c == '\n') c = ' ';
    return clip(tidy(s), max);
}

std::string string_of(const nlohmann::json& answer, const char* key) {
    auto it = answer.find(key);
    if (it == answer.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

}  // namespace

bool matches_scheme(std::string_view pattern, std::string_view url) { return glob(pattern, url); }

const OembedProvider* find_provider(const std::vector<OembedProvider>& providers, std::string_view url) {
    for (const auto& p : providers)
        for (const auto& s : p.schemes)
            if (matches_scheme(s, url)) return &p;
    return nullptr;
}

std::string oembed_request(const OembedProvider& provider, std::string_view url) {
    std::string out = provider.endpoint;
    out += provider.endpoint.find('?') == std::string::npos ? '?' : '&';
    out += "url=" + percent_encode(url) + "&format=json&maxwidth=1024";
    if (!provider.access_token.empty()) out += "&access_token=" + percent_encode(provider.access_token);
    return out;
}

std::string html_to_text(std::string_view html) {
    std::string out;
    for (std::size_t i = 0; i < html.size();) {
        const char c = html[i];
        if (c == '<') {
            // script and style: their content is not text.
            for (std::string_view skip : {"script", "style"}) {
                if (is_tag(html, i, skip)) {
                    auto close = find_tag(html, skip, i, true);
                    i = close == std::string_view::npos ? html.size() : close;
                    break;
                }
            }
            if (i >= html.size()) break;
            const bool line_break = is_tag(html, i, "br") || is_tag(html, i, "/p") || is_tag(html, i, "p") ||
                                    is_tag(html, i, "/div") || is_tag(html, i, "/li");
            auto end = html.find('>', i);
            if (end == std::string_view::npos) break;  // an unterminated tag: the rest is not text
            if (line_break) out += '\n';
            i = end + 1;
        } else if (c == '&') {
            if (auto used = decode_entity(html, i, out)) i += used;
            else out += html[i++];
        } else {
            const auto u = static_cast<unsigned char>(c);
            out += (u < 0x20 && c != '\n') || u == 0x7F ? ' ' : c;
            ++i;
        }
    }
    // Invalid UTF-8 from a provider becomes nothing rather than a refusal.
    if (!is_valid_utf8(out)) {
        std::string clean;
        for (char ch : out)
            if (static_cast<unsigned char>(ch) < 0x80) clean += ch;
        out = std::move(clean);
    }
    return tidy(out);
}

PostText post_text_from_html(std::string_view html) {
    PostText out;
    auto open = find_tag(html, "blockquote", 0);
    if (open == std::string_view::npos) return out;
    auto close = find_tag(html, "blockquote", open, true);
    auto quote = html.substr(open, close == std::string_view::npos ? std::string_view::npos : close - open);
    auto p = find_tag(quote, "p", 0);
    if (p != std::string_view::npos) {
        auto p_end = find_tag(quote, "p", p, true);
        out.text = html_to_text(quote.substr(p, p_end == std::string_view::npos ? std::string_view::npos : p_end - p));
    } else {
        out.text = html_to_text(quote);
    }
    // The last link's text: the post's date for X, Bluesky, Instagram.
    std::size_t last = std::string_view::npos;
    for (auto a = find_tag(quote, "a", 0); a != std::string_view::npos; a = find_tag(quote, "a", a + 1)) last = a;
    if (last != std::string_view::npos) {
        auto a_end = find_tag(quote, "a", last, true);
        out.date = html_to_text(quote.substr(last, a_end == std::string_view::npos ? std::string_view::npos : a_end - last));
        if (out.date == out.text) out.date.clear();
    }
    return out;
}

CardDraft card_from_oembed(const nlohmann::json& answer, const OembedProvider& provider) {
    if (!answer.is_object()) throw std::runtime_error("the oEmbed answer is not a JSON object");
    CardDraft d;
    auto& card = d.card;
    auto provider_name = one_line(html_to_text(string_of(answer, "provider_name")), 500);
    card["provider"] = provider_name.empty() ? provider.name : provider_name;
    if (auto author = one_line(html_to_text(string_of(answer, "author_name")), 500); !author.empty())
        card["author"] = author;
    if (auto author_url = string_of(answer, "author_url"); !author_url.empty()) card["author_url"] = author_url;
    if (auto title = one_line(html_to_text(string_of(answer, "title")), 500); !title.empty()) card["title"] = title;
    auto post = post_text_from_html(string_of(answer, "html"));
    if (auto text = clip(post.text, 5000); !text.empty()) card["text"] = text;
    if (auto date = one_line(post.date, 500); !date.empty()) card["date"] = date;
    d.thumbnail_url = string_of(answer, "thumbnail_url");
    return d;
}

}  // namespace liveblog::embed
