#pragma once
// RFC 6455 framing shared by the server, the load generator and the floor
// reference: opcodes and the encoder. One extension, permessage-deflate
// (RSV1 marks a compressed message: websocket/permessage_deflate), and no
// fragmentation on the way out: every message is one frame.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace liveblog::ws {

enum class Opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

// Close codes this code base sends or checks (RFC 6455 section 7.4.1).
namespace close_status {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005;  // never sent: "the close frame had no code"
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t too_big = 1009;
}  // namespace close_status

// Bytes of the header of a frame carrying `payload_size` bytes.
constexpr std::size_t frame_header_size(std::size_t payload_size, bool masked) {
    return (payload_size < 126 ? 2 : payload_size < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

// Appends one final frame. A client passes its 4-byte masking key (`mask`);
// a server passes nullptr and sends the payload as is. `compressed` sets
// RSV1: the payload is a permessage-deflate message.
void append_frame(std::string& out, Opcode op, std::string_view payload, const char* mask = nullptr,
                  bool compressed = false);

// A close frame's payload: the code in network order, then the reason.
std::string close_payload(std::uint16_t code, std::string_view reason);

}  // namespace liveblog::ws
