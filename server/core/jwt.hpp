#pragma once
// HS256 JSON Web Tokens for editors (RFC 7519 subset): header {"alg":"HS256","typ":"JWT"},
// claims sub (string), role ("contributor"|"editor"|"admin"), exp (seconds since epoch, required),
// optional iat, optional stories (array of story ids). Signatures are
// HMAC-SHA256 (OpenSSL) compared in constant time (CRYPTO_memcmp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error_code.hpp"
#include "core/principal.hpp"

namespace liveblog {

struct Claims {
    std::string sub;
    Role role = Role::editor;
    std::int64_t exp = 0;                       // seconds since the epoch
    std::optional<std::vector<std::string>> stories;  // scope; none = every story

    // The identity the token proves (CredentialKind::signed_token).
    Principal principal() const;
};

// 9999-12-31T23:59:59Z: the latest exp a token may carry.
inline constexpr std::int64_t max_token_exp = 253402300799;

// Throws Error{bad_request / invalid_slug} for claims verify_token would refuse.
std::string sign_token(const Claims& claims, std::string_view secret, std::int64_t now_seconds);

// Throws Error{unauthorized} for anything malformed or badly signed (wrong alg,
// bad base64url, missing/ill-typed claims, unknown role) and Error{token_expired}
// when exp <= now.
Claims verify_token(std::string_view token, std::string_view secret, std::int64_t now_seconds);

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace liveblog
