#pragma once
// Content text to HTML for the server-rendered pages. Stored text carries
// three inline marks and nothing else (docs/protocol.md); this is the only
// place that turns it into markup, so every byte of content reaches a page
// either escaped or as one of the few tags made here.

#include <string>
#include <string_view>

namespace liveblog {

// Escapes & < > " ' : safe in element content and in quoted attribute values.
std::string html_escape(std::string_view text);

// `text` as HTML: escaped, with **bold** -> <strong>, _italic_ -> <em>,
// [label](url) -> <a href="url" rel="nofollow noopener noreferrer">label</a>,
// and newlines as <br>.
//  - A link is made only when its target passes is_http_url (checked again
//    here: the renderer does not trust that validation ran). Otherwise, and
//    for a mark that never closes, the characters stay literal text.
//  - `_` opens and closes only at a word boundary: snake_case_name is text.
//  - A link target runs to the ")" balancing its "(" (as validation reads
//    it), and links bind tighter than emphasis: a "_" inside a URL never
//    closes an italic opened before the link.
//  - Marks nest (**[label](url)**), but a mark never nests inside itself and
//    a link never inside a link label.
//  - Safe for any input, UTF-8 or not: the only tags produced are strong, em,
//    a and br, and the only attributes are href (escaped) and rel.
//  - No backtracking: hostile input ("**" x 10,000, "[[[[...") costs about
//    what ordinary text of the same size does.
std::string render_inline(std::string_view text);

// The text a reader sees, with the marks removed (a link becomes its label):
// for JSON-LD and other plain-text uses. Not escaped.
std::string strip_inline_marks(std::string_view text);

// A JSON text made safe to sit inside a <script> element: <, > and & become
// \u003c, \u003e, \u0026, and U+2028 / U+2029 become \u2028 / \u2029, so no
// content can close the element or open a comment. Those characters occur in
// JSON only inside strings, where the escapes mean the same thing, so the
// result parses to the same value.
std::string escape_json_for_script(std::string_view json_text);

}  // namespace liveblog
