// libFuzzer harness: the inline markup of content text (http/html):
// render_inline, strip_inline_marks, html_escape and escape_json_for_script.
// Only valid UTF-8 is rendered, since only that is ever stored (validation
// refuses the rest); other inputs are skipped.
//
// What must hold of render_inline's output, read as a token stream:
//  - every '<' opens one of the tags the renderer makes (<strong>, <em>,
//    <br>, <a href="..." rel="nofollow noopener noreferrer"> and the
//    closers), so content can never open a tag or an attribute of its own;
//  - outside those tags no '>', '"' or '\'' appears, and every '&' starts
//    one of the five entities html_escape writes;
//  - an href, unescaped, is an http(s) URL (is_http_url) of at most 2048
//    bytes;
//  - tags nest properly, and none inside itself (no link in a link);
//  - the text a reader sees is the same as strip_inline_marks' (line
//    breaks aside, which only the HTML turns into <br>);
//  - strip_inline_marks only removes characters, and text without '*', '_'
//    or '[' comes out unchanged; both outputs are valid UTF-8.
// escape_json_for_script's output holds no '<', '>', '&', U+2028 or U+2029,
// and a JSON text keeps its value through it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"
#include "core/bounded_json.hpp"
#include "core/validation.hpp"
#include "fuzz_check.hpp"
#include "http/html.hpp"

namespace {

constexpr std::string_view link_open = "<a href=\"";
constexpr std::string_view link_rel = "\" rel=\"nofollow noopener noreferrer\">";

bool starts_with(std::string_view s, std::size_t at, std::string_view prefix) {
    return s.substr(at, prefix.size()) == prefix;
}

// The escaped text s[i, end) decoded; traps on a bare '<', '>', '"', '\'' or
// an '&' that is not one of html_escape's entities.
void decode_text(std::string_view s, std::size_t begin, std::size_t end, std::string& out) {
    static constexpr struct {
        std::string_view entity;
        char c;
    } entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    for (std::size_t i = begin; i < end;) {
        const char c = s[i];
        FUZZ_REQUIRE(c != '<' && c != '>' && c != '"' && c != '\'');
        if (c != '&') {
            out += c;
            ++i;
            continue;
        }
        bool known = false;
        for (const auto& e : entities) {
            if (i + e.entity.size() <= end && starts_with(s, i, e.entity)) {
                out += e.c;
                i += e.entity.size();
                known = true;
                break;
            }
        }
        FUZZ_REQUIRE(known);
    }
}

// Walks the HTML; returns the text a reader sees, without line breaks.
std::string check_html(std::string_view html) {
    enum Tag { strong, em, a };
    std::vector<Tag> open;
    const auto push = [&open](Tag t) {
        for (Tag o : open) FUZZ_REQUIRE(o != t);
        open.push_back(t);
    };
    const auto pop = [&open](Tag t) {
        FUZZ_REQUIRE(!open.empty() && open.back() == t);
        open.pop_back();
    };
    std::string visible;
    std::size_t i = 0;
    while (i < html.size()) {
        const std::size_t lt = html.find('<', i);
        const std::size_t text_end = lt == std::string_view::npos ? html.size() : lt;
        decode_text(html, i, text_end, visible);
        i = text_end;
        if (i == html.size()) break;
        if (starts_with(html, i, "<strong>")) {
            push(strong);
            i += 8;
        } else if (starts_with(html, i, "</strong>")) {
            pop(strong);
            i += 9;
        } else if (starts_with(html, i, "<em>")) {
            push(em);
            i += 4;
        } else if (starts_with(html, i, "</em>")) {
            pop(em);
            i += 5;
        } else if (starts_with(html, i, "<br>")) {
            i += 4;
        } else if (starts_with(html, i, "</a>")) {
            pop(a);
            i += 4;
        } else {
            FUZZ_REQUIRE(starts_with(html, i, link_open));
            push(a);
            const std::size_t href_begin = i + link_open.size();
            const std::size_t href_end = html.find('"', href_begin);
            FUZZ_REQUIRE(href_end != std::string_view::npos);
            std::string href;
            decode_text(html, href_begin, href_end, href);
            FUZZ_REQUIRE(href.size() <= 2048 && liveblog::is_http_url(href));
            FUZZ_REQUIRE(starts_with(html, href_end, link_rel));
            i = href_end + link_rel.size();
        }
    }
    FUZZ_REQUIRE(open.empty());
    return visible;
}

std::string without_line_breaks(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '\r' && c != '\n') out += c;
    return out;
}

bool is_subsequence(std::string_view part, std::string_view whole) {
    std::size_t j = 0;
    for (char c : whole)
        if (j < part.size() && part[j] == c) ++j;
    return j == part.size();
}

void check_script_escape(std::string_view text) {
    const std::string escaped = liveblog::escape_json_for_script(text);
    FUZZ_REQUIRE(escaped.find_first_of("<>&") == std::string::npos);
    FUZZ_REQUIRE(escaped.find("\xE2\x80\xA8") == std::string::npos && escaped.find("\xE2\x80\xA9") == std::string::npos);
    liveblog::JsonRefusal refusal;
    const auto before = liveblog::parse_bounded_json(text, {}, refusal);
    if (refusal != liveblog::JsonRefusal::none) return;
    const auto after = liveblog::parse_bounded_json(escaped, {}, refusal);
    FUZZ_REQUIRE(refusal == liveblog::JsonRefusal::none && after == before);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (!liveblog::is_valid_utf8(text)) return 0;

    const std::string html = liveblog::render_inline(text);
    const std::string plain = liveblog::strip_inline_marks(text);
    FUZZ_REQUIRE(liveblog::is_valid_utf8(html) && liveblog::is_valid_utf8(plain));
    FUZZ_REQUIRE(check_html(html) == without_line_breaks(plain));
    FUZZ_REQUIRE(is_subsequence(plain, text));
    if (text.find_first_of("*_[") == std::string_view::npos) FUZZ_REQUIRE(plain == text);

    std::string decoded;
    const std::string escaped = liveblog::html_escape(text);
    decode_text(escaped, 0, escaped.size(), decoded);
    FUZZ_REQUIRE(decoded == text);

    check_script_escape(text);
    return 0;
}
