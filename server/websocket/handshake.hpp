#pragma once
// The opening handshake's key exchange (RFC 6455 section 4.2.2).

#include <string>
#include <string_view>

namespace liveblog::ws {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);

// A Sec-WebSocket-Key must be the base64 form of 16 bytes (24 characters).
bool valid_client_key(std::string_view client_key);

}  // namespace liveblog::ws
