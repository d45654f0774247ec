#include "http/html.hpp"

#include <algorithm>
#include <vector>

#include "core/validation.hpp"

namespace liveblog {

namespace {

constexpr auto npos = std::string_view::npos;

// Validation caps link targets at this size; a longer one is never a link.
constexpr std::size_t max_target_bytes = 2048;

void append_escaped(std::string& out, char c) {
    switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c; break;
    }
}

// ---------------------------------------------------------------------------
// Characters around a mark
// ---------------------------------------------------------------------------

// Decodes the code point starting at s[i]; 0 past the end. Tolerates invalid
// UTF-8 (render_inline takes any bytes): a malformed sequence is U+FFFD.
char32_t code_point_at(std::string_view s, std::size_t i) {
    if (i >= s.size()) return 0;
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) return lead;
    const std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (len == 0 || i + len > s.size()) return 0xFFFD;
    char32_t cp = lead & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0u) != 0x80u) return 0xFFFD;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    return cp;
}

// The code point that ends just before s[i]; 0 at the start.
char32_t code_point_before(std::string_view s, std::size_t i) {
    if (i == 0) return 0;
    std::size_t j = i - 1;
    while (j > 0 && i - j < 4 && (static_cast<unsigned char>(s[j]) & 0xC0u) == 0x80u) --j;
    return code_point_at(s, j);
}

bool is_space(char32_t cp) {
    switch (cp) {
        case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
        case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
            return true;
        default:
            return cp >= 0x2000 && cp <= 0x200A;
    }
}

// Letters, digits (of any script) and "_" count as word characters;
// punctuation (ASCII, Latin-1 such as « », general and CJK punctuation) and
// spaces do not, so `«_titre_»` italicises and `snake_case_name` or
// `__init__` do not. 0 (the edge of the text) is not a word character.
bool is_word(char32_t cp) {
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    if (is_space(cp)) return false;
    if (cp >= 0xA1 && cp <= 0xBF) return false;
    if (cp == 0xD7 || cp == 0xF7) return false;
    if (cp >= 0x2010 && cp <= 0x205E) return false;
    if (cp >= 0x2E00 && cp <= 0x2E7F) return false;
    if (cp >= 0x3000 && cp <= 0x303F) return false;
    return true;
}

// ---------------------------------------------------------------------------
// Links: found first, then treated as atoms
// ---------------------------------------------------------------------------

// "[" label "](" target ")". Links bind tighter than emphasis (as in
// CommonMark), so a "_" or "**" inside a URL never closes a mark opened
// outside it: https://en.wikipedia.org/wiki/Foo_(bar) stays one link.
struct LinkToken {
    std::size_t open;       // "["
    std::size_t label_end;  // "]"
    std::size_t close;      // ")" balancing the "(" after the label
};

// For every "(", the ")" that balances it (npos: none), by the order of the
// "(" in the text. A target runs to the ")" balancing its "(", which is the
// first ")" at depth 0 that validation's scan stops at.
class ParenMatches {
public:
    explicit ParenMatches(std::string_view s) {
        std::vector<std::size_t> stack;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '(') {
                stack.push_back(opens_.size());
                opens_.push_back(i);
                closes_.push_back(npos);
            } else if (s[i] == ')' && !stack.empty()) {
                closes_[stack.back()] = i;
                stack.pop_back();
            }
        }
    }

    // Precondition: s[open] == '('.
    std::size_t close_of(std::size_t open) const {
        const auto it = std::lower_bound(opens_.begin(), opens_.end(), open);
        return closes_[static_cast<std::size_t>(it - opens_.begin())];
    }

private:
    std::vector<std::size_t> opens_;
    std::vector<std::size_t> closes_;
};

// The links of `s`, left to right, not overlapping. A label runs from a "["
// to the first "]" after it and holds no "[" (in "[a [b](u)" the link is
// "[b](u)"); it is not empty. The target must pass is_http_url: anything else
// ("javascript:", a quote that would end the attribute) is no link.
std::vector<LinkToken> find_links(std::string_view s) {
    std::vector<LinkToken> links;
    if (s.find("](") == npos) return links;
    const ParenMatches parens(s);
    std::size_t next_open = npos, next_close = npos;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '[') continue;
        // Both searches only move right: the whole scan stays linear.
        if (next_close == npos || next_close <= i) next_close = s.find(']', i + 1);
        if (next_close == npos) break;
        if (next_open == npos || next_open <= i) next_open = s.find('[', i + 1);
        const std::size_t label_end = next_close;
        if (next_open < label_end || label_end == i + 1) continue;
        if (label_end + 1 >= s.size() || s[label_end + 1] != '(') continue;
        const std::size_t close = parens.close_of(label_end + 1);
        if (close == npos) continue;
        const auto target = s.substr(label_end + 2, close - label_end - 2);
        if (target.size() > max_target_bytes || !is_http_url(target)) continue;
        links.push_back({i, label_end, close});
        i = close;
    }
    return links;
}

// ---------------------------------------------------------------------------
// Emphasis
// ---------------------------------------------------------------------------

enum Mark : unsigned { bold = 1, italic = 2, link = 4 };
constexpr unsigned all_marks = bold | italic | link;

enum class Output { html, plain };

// The first position in [from, end) where a closer of one kind stands. Within
// one span the searches start further and further right, so an earlier
// answer at or after `from` is still the first one, and a failed search stays
// failed: the scans of one span never overlap, which keeps hostile input
// ("**" x 10,000 with no closer) linear.
class CloserSearch {
public:
    template <typename IsCloser>
    std::size_t find(std::size_t from, std::size_t end, IsCloser is_closer) {
        if (searched_ && from >= from_ && (found_ == npos || found_ >= from)) return found_;
        searched_ = true;
        from_ = from;
        found_ = npos;
        for (std::size_t i = from; i < end; ++i) {
            if (is_closer(i)) {
                found_ = i;
                break;
            }
        }
        return found_;
    }

private:
    bool searched_ = false;
    std::size_t from_ = 0;
    std::size_t found_ = npos;
};

class InlineRenderer {
public:
    InlineRenderer(std::string_view text, Output mode, std::string& out)
        : s_(text), mode_(mode), out_(out), links_(find_links(text)) {
        if (links_.empty()) return;
        in_link_.assign(s_.size(), false);
        for (const auto& l : links_)
            for (std::size_t k = l.open; k <= l.close; ++k) in_link_[k] = true;
    }

    void render_all() { render(0, s_.size(), all_marks, false); }

private:
    // Renders s_[begin, end) with the marks in `allowed`. Each nested call
    // drops the mark it opened, so the depth is at most three. `in_label`:
    // the span lies inside one link's label, where links cannot occur.
    void render(std::size_t begin, std::size_t end, unsigned allowed, bool in_label) {
        // A closer counts only on the same side of every link boundary as
        // the span: outside links for a span outside them, inside for a label.
        const auto same_side = [&](std::size_t k) { return in_link_.empty() || in_link_[k] == in_label; };
        CloserSearch bold_closers, italic_closers;
        auto next_link = std::lower_bound(links_.begin(), links_.end(), begin,
                                          [](const LinkToken& l, std::size_t pos) { return l.open < pos; });
        std::size_t literal_from = begin;
        std::size_t i = begin;
        while (i < end) {
            // Links inside a mark just rendered, or skipped where links are
            // not allowed, are behind us.
            while (next_link != links_.end() && next_link->open < i) ++next_link;
            const char c = s_[i];
            if (next_link != links_.end() && next_link->open == i && (allowed & link)) {
                const LinkToken& l = *next_link++;
                emit_literal(literal_from, i);
                if (mode_ == Output::html) {
                    out_ += "<a href=\"";
                    out_ += html_escape(s_.substr(l.label_end + 2, l.close - l.label_end - 2));
                    out_ += "\" rel=\"nofollow noopener noreferrer\">";
                }
                render(i + 1, l.label_end, allowed & ~link, true);
                tag("</a>");
                i = literal_from = l.close + 1;
                continue;
            }
            if (c == '*' && (allowed & bold) && opens_bold(i, end)) {
                const auto close = bold_closers.find(
                    i + 3, end, [&](std::size_t k) { return closes_bold(k, end) && same_side(k); });
                if (close != npos) {
                    emit_literal(literal_from, i);
                    tag("<strong>");
                    render(i + 2, close, allowed & ~bold, in_label);
                    tag("</strong>");
                    i = literal_from = close + 2;
                    continue;
                }
            } else if (c == '_' && (allowed & italic) && opens_italic(i, end)) {
                const auto close =
                    italic_closers.find(i + 2, end, [&](std::size_t k) { return closes_italic(k) && same_side(k); });
                if (close != npos) {
                    emit_literal(literal_from, i);
                    tag("<em>");
                    render(i + 1, close, allowed & ~italic, in_label);
                    tag("</em>");
                    i = literal_from = close + 1;
                    continue;
                }
            }
            ++i;
        }
        emit_literal(literal_from, end);
    }

    // "**" followed by neither a space nor another "*": a run of stars
    // ("****", "***a") opens only at its last pair, so it holds no empty bold.
    bool opens_bold(std::size_t i, std::size_t end) const {
        if (i + 2 >= end || s_[i + 1] != '*') return false;
        const char32_t next = code_point_at(s_, i + 2);
        return next != '*' && !is_space(next);
    }
    // "**" preceded by neither a space nor a "*".
    bool closes_bold(std::size_t i, std::size_t end) const {
        if (i + 1 >= end || s_[i] != '*' || s_[i + 1] != '*') return false;
        const char32_t prev = code_point_before(s_, i);
        return prev != '*' && !is_space(prev);
    }
    // "_" at the start of a word: after a non-word character, before a
    // non-space that is not another "_".
    bool opens_italic(std::size_t i, std::size_t end) const {
        if (i + 1 >= end) return false;
        const char32_t next = code_point_at(s_, i + 1);
        return !is_word(code_point_before(s_, i)) && next != '_' && !is_space(next);
    }
    // "_" at the end of a word. The neighbours are read in the whole text,
    // not the span, so a boundary means the same at every nesting depth.
    bool closes_italic(std::size_t i) const {
        if (s_[i] != '_') return false;
        const char32_t prev = code_point_before(s_, i);
        return prev != '_' && !is_space(prev) && !is_word(code_point_at(s_, i + 1));
    }

    void tag(const char* markup) {
        if (mode_ == Output::html) out_ += markup;
    }

    void emit_literal(std::size_t begin, std::size_t end) {
        if (mode_ == Output::plain) {
            out_.append(s_.substr(begin, end - begin));
            return;
        }
        for (std::size_t i = begin; i < end; ++i) {
            const char c = s_[i];
            if (c == '\n') {
                out_ += "<br>";
            } else if (c == '\r') {
                // "\r\n" is one break; a lone "\r" is one too.
                if (i + 1 >= end || s_[i + 1] != '\n') out_ += "<br>";
            } else {
                append_escaped(out_, c);
            }
        }
    }

    std::string_view s_;
    Output mode_;
    std::string& out_;
    std::vector<LinkToken> links_;
    std::vector<bool> in_link_;  // empty when there are no links
};

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) append_escaped(out, c);
    return out;
}

std::string render_inline(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    InlineRenderer(text, Output::html, out).render_all();
    return out;
}

std::string strip_inline_marks(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    InlineRenderer(text, Output::plain, out).render_all();
    return out;
}

std::string escape_json_for_script(std::string_view json_text) {
    std::string out;
    out.reserve(json_text.size() + 16);
    for (std::size_t i = 0; i < json_text.size(); ++i) {
        const char c = json_text[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < json_text.size() && json_text[i + 1] == '\x80' &&
                   (json_text[i + 2] == '\xA8' || json_text[i + 2] == '\xA9')) {
            out += json_text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace liveblog
