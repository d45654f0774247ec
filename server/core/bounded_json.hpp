#pragma once
// The one JSON parser for everything a client sends (REST bodies, /admin/ws
// and /ws messages, token payloads). It builds the document in one pass and
// stops at the first limit passed, so no input can make the server recurse,
// allocate or copy without bound: nlohmann's parser is iterative, but copying,
// dumping or comparing a parsed value recurses once per nesting level, and a
// body nested 200,000 deep overflows an I/O thread's stack.
//
// Invariant: a value returned by parse_bounded_json() is nested at most
// max_depth levels, holds at most max_elements values and no string longer
// than max_string_bytes, so every recursive walk over it is bounded.

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace liveblog {

struct JsonLimits {
    std::size_t max_bytes = 1 << 20;          // the whole text
    std::size_t max_depth = 64;               // arrays and objects inside each other
    std::size_t max_string_bytes = 128 << 10; // one string or object key, decoded
    std::size_t max_elements = 10000;         // values (scalars and containers) and keys, in all
};

enum class JsonRefusal {
    none,
    not_utf8,     // the text is not UTF-8
    too_large,    // over max_bytes
    too_deep,     // over max_depth
    too_long,     // a string over max_string_bytes
    too_many,     // over max_elements
    syntax,       // not JSON
    not_object,   // JSON, but not an object (parse_json_object only)
};

// A refusal's words for an error message ("nested deeper than 64 levels").
std::string describe(JsonRefusal refusal, const JsonLimits& limits);

// The document, or a discarded value with `refusal` set. Never throws.
nlohmann::json parse_bounded_json(std::string_view text, const JsonLimits& limits, JsonRefusal& refusal);

}  // namespace liveblog
