#pragma once
// Reads the few top-level fields of a server message the load generator needs
// (type, seq, epoch, mode, code) in one pass without building a document and
// without allocating. Nested objects and strings are skipped, so an entry's
// "created_seq", the "seq" inside a story object or a quoted "seq" in a text
// are never mistaken for the event's seq. String values are returned raw
// (still escaped): the fields read here never contain escapes.

#include <cstdint>
#include <string_view>

namespace liveblog::load {

struct TopLevelFields {
    std::string_view type;
    std::string_view epoch;
    std::string_view mode;
    std::string_view code;
    std::uint64_t seq = 0;
    bool has_seq = false;
    bool valid = false;  // an object walked to its closing brace
};

TopLevelFields scan_top_level(std::string_view json);

}  // namespace liveblog::load
