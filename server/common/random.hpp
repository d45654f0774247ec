#pragma once
// Identifiers and secrets. Entry ids sort by creation time (ULID-like:
// 50 bits of milliseconds then 30 random bits, Crockford base32), so ids made on
// different nodes never collide and still sort in publication order.

#include <string>

#include "core/content.hpp"

namespace liveblog {

std::string make_entry_id(Millis now);
std::string make_epoch();                  // 8 hex characters
std::string random_bytes(std::size_t n);   // from the OS CSPRNG (OpenSSL RAND_bytes)
std::string to_hex(std::string_view bytes);

}  // namespace liveblog
