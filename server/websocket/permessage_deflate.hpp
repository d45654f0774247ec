#pragma once
// permessage-deflate (RFC 7692), as the fan-out needs it: every message is
// compressed on its own (no context takeover either way), so one compressed
// frame serves every reader that accepted the extension, and a connection
// keeps no compression state at all (no 64 KiB zlib window per reader).
//
// Server side: negotiate() picks the first offer it can honour and answers
// with server_no_context_takeover and client_no_context_takeover (RFC 7692
// section 7.1.1: a server may add the latter to any offer). An offer that
// limits the server's window below 15 bits is declined: the shared frames
// are made once with the full window. Inflating a client's message is
// bounded by the message limit, whatever its compressed size.
//
// The compressor and decompressor are per thread (thread_local, reset
// between messages): bounded memory, no lock.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace liveblog::ws {

// The Sec-WebSocket-Extensions value to answer with, or nullopt to go
// without the extension (no offer, or none acceptable).
std::optional<std::string> negotiate_permessage_deflate(std::string_view offers);

// The raw DEFLATE of one message, its final 00 00 ff ff removed
// (RFC 7692 section 7.2.1).
std::string deflate_message(std::string_view payload);

// Inflates one compressed message into `out`. False when the data is not
// DEFLATE, or inflates past `max_bytes` (`too_big` then says so).
bool inflate_message(std::string_view data, std::size_t max_bytes, std::string& out, bool& too_big);

// For a client (the load generator, tests): the offer it sends.
inline constexpr std::string_view permessage_deflate_offer =
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

}  // namespace liveblog::ws
