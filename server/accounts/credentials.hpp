#pragma once
// The secrets people and machines present, and how they are kept: a console
// session's cookie id and an API token are 256 random bits; the store keeps
// only their SHA-256, compared in constant time.
//
//   session cookie   liveblog_session=<43 base64url characters>
//   API token        lbt_<token id: 16 hex>_<43 base64url characters>
// An API token starts with "lbt_" so that it is told from a signed token
// (a JWT, three dot-separated parts) at a glance, and found by secret scanners.

#include <optional>
#include <string>
#include <string_view>

namespace liveblog::accounts {

inline constexpr std::string_view session_cookie_name = "liveblog_session";
inline constexpr std::string_view api_token_prefix = "lbt_";

// 32 random bytes, base64url.
std::string new_secret();
std::string sha256_hex(std::string_view text);
bool equal_in_constant_time(std::string_view a, std::string_view b);

struct ApiTokenParts {
    std::string id;      // "t_" + 16 hex
    std::string secret;
};
std::string format_api_token(const std::string& id, const std::string& secret);
// None unless `token` has the API token's shape.
std::optional<ApiTokenParts> parse_api_token(std::string_view token);
std::string new_api_token_id();  // "t_" + 16 hex
std::string new_user_id();       // "u_" + 16 hex

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

}  // namespace liveblog::accounts
