#include "embed/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace liveblog::embed {

namespace {

bool in_v4(std::uint32_t a, std::uint32_t net, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (a & mask) == (net & mask);
}

constexpr std::uint32_t v4(int a, int b, int c, int d) {
    return (std::uint32_t(a) << 24) | (std::uint32_t(b) << 16) | (std::uint32_t(c) << 8) | std::uint32_t(d);
}

bool is_public_v4(std::uint32_t a) {
    struct Range {
        std::uint32_t net;
        int bits;
    };
    static constexpr Range refused[] = {
        {v4(0, 0, 0, 0), 8},       {v4(10, 0, 0, 0), 8},     {v4(100, 64, 0, 0), 10}, {v4(127, 0, 0, 0), 8},
        {v4(169, 254, 0, 0), 16},  {v4(172, 16, 0, 0), 12},  {v4(192, 0, 0, 0), 24},  {v4(192, 0, 2, 0), 24},
        {v4(192, 88, 99, 0), 24},  {v4(192, 168, 0, 0), 16}, {v4(198, 18, 0, 0), 15}, {v4(198, 51, 100, 0), 24},
        {v4(203, 0, 113, 0), 24},  {v4(224, 0, 0, 0), 4},    {v4(240, 0, 0, 0), 4},
    };
    for (const auto& r : refused)
        if (in_v4(a, r.net, r.bits)) return false;
    return true;  // 255.255.255.255 is inside 240/4
}

std::uint32_t v4_at(const unsigned char* b) {
    return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
}

bool is_public_v6(const unsigned char* b) {
    static constexpr unsigned char zero[16] = {};
    // :: and ::1
    if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return false;
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated)
    if (std::memcmp(b, zero, 10) == 0 && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)))
        return is_public_v4(v4_at(b + 12));
    // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local NAT64)
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
        if (b[4] == 0 && b[5] == 1) return false;
        return is_public_v4(v4_at(b + 12));
    }
    if (b[0] == 0x20 && b[1] == 0x02) return is_public_v4(v4_at(b + 2));  // 2002::/16, 6to4
    if ((b[0] & 0xfe) == 0xfc) return false;                            // fc00::/7 unique local
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;             // fe80::/10 link-local
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;             // fec0::/10 site-local (deprecated)
    if (b[0] == 0xff) return false;                                      // ff00::/8 multicast
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // 2001:db8::/32 documentation
    if (b[0] == 0x01 && b[1] == 0x00 && std::memcmp(b + 2, zero, 6) == 0) return false;  // 100::/64 discard
    return true;
}

}  // namespace

bool is_public_address(const sockaddr* address) {
    if (address->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(address);
        return is_public_v4(ntohl(in->sin_addr.s_addr));
    }
    if (address->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
        return is_public_v6(in6->sin6_addr.s6_addr);
    }
    return false;
}

std::string address_text(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
    else if (address->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
    return text;
}

}  // namespace liveblog::embed
