#pragma once
// Passwords: Argon2id through libsodium (crypto_pwhash_str), at its
// "interactive" cost (2 passes over 64 MiB) - some 50-100 ms of one core per
// hash, which is why hashing runs on the accounts' own thread, never on an
// I/O or reader thread. The stored form is libsodium's PHC string
// ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash"): it carries its own salt and
// parameters, so raising the cost later leaves old hashes verifiable.
// Plain passwords are never logged, stored or echoed.

#include <string>
#include <string_view>

namespace liveblog {

inline constexpr std::size_t min_password_bytes = 10;
inline constexpr std::size_t max_password_bytes = 1024;

// Throws Error{bad_request} for a password outside the length rule.
void check_password_rule(std::string_view password);
// Throws Error{internal} if libsodium cannot (out of memory).
std::string hash_password(std::string_view password);
// False for a wrong password or a malformed hash; constant time in the password.
bool verify_password(const std::string& hash, std::string_view password);
// A random password a person can type: 20 characters of [a-km-zA-HJ-NP-Z2-9] (~115 bits).
std::string generate_password();

}  // namespace liveblog
