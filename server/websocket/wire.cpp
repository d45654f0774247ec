#include "websocket/wire.hpp"

namespace liveblog::ws {

void append_frame(std::string& out, Opcode op, std::string_view payload, const char* mask, bool compressed) {
    const std::size_t n = payload.size();
    out.reserve(out.size() + frame_header_size(n, mask != nullptr) + n);
    out.push_back(static_cast<char>(0x80 | (compressed ? 0x40 : 0) | static_cast<unsigned>(op)));
    const unsigned mask_bit = mask ? 0x80 : 0;
    if (n < 126) {
        out.push_back(static_cast<char>(mask_bit | n));
    } else if (n < 65536) {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(mask_bit | 127));
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xff));
    }
    if (!mask) {
        out.append(payload);
        return;
    }
    out.append(mask, 4);
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(payload[i] ^ mask[i & 3]));
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::string p;
    p.push_back(static_cast<char>(code >> 8));
    p.push_back(static_cast<char>(code & 0xff));
    p.append(reason.substr(0, 123));  // a control frame's payload is at most 125 bytes
    return p;
}

}  // namespace liveblog::ws
