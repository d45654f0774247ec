#pragma once
// The publish time travels inside the published text as a marker
// "lbt:<publish_unix_ns>:<event_index>:", so any server that relays the text
// (liveblog inside entry.blocks[0].text, Nchan, Node ws, the floor) can be
// measured the same way. Marker characters never need JSON escaping.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace liveblog::load {

inline constexpr std::string_view marker_prefix = "lbt:";
inline constexpr std::size_t marker_max_size = 4 + 20 + 1 + 20 + 1;

struct Marker {
    std::uint64_t publish_ns = 0;  // wall clock (CLOCK_REALTIME) when the post was sent
    std::uint64_t index = 0;       // the publisher's event counter, from 0
    friend bool operator==(const Marker&, const Marker&) = default;
};

// The first well-formed marker in `payload`; candidates that are truncated or
// malformed are skipped. Allocates nothing.
std::optional<Marker> find_marker(std::string_view payload);

// Writes the marker into `out` (room for marker_max_size bytes); returns its length.
std::size_t write_marker(char* out, const Marker& m);
std::string make_marker(const Marker& m);

}  // namespace liveblog::load
