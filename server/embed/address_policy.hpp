#pragma once
// Which addresses an embed fetch may connect to (SSRF): the public internet
// only. A URL an editor pastes, or a redirect or thumbnail a provider names,
// must not make the server reach its own loopback, the newsroom's private
// network or a cloud metadata service (169.254.169.254).

#include <sys/socket.h>

#include <string>

namespace liveblog::embed {

// False for loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
// link-local (169.254/16, fe80::/10), CGNAT (100.64/10), "this network"
// (0/8), IETF protocol assignments (192.0.0/24), benchmarking (198.18/15),
// documentation ranges, multicast, reserved (240/4), broadcast, the
// unspecified addresses; an IPv6 address embedding an IPv4 one (mapped,
// NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by that IPv4 address.
bool is_public_address(const sockaddr* address);
// The address as text ("192.0.2.1", "2001:db8::1"), for messages.
std::string address_text(const sockaddr* address);

}  // namespace liveblog::embed
