#include "accounts/credentials.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "common/random.hpp"
#include "core/jwt.hpp"

namespace liveblog::accounts {

std::string new_secret() { return base64url_encode(random_bytes(32)); }

std::string sha256_hex(std::string_view text) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string format_api_token(const std::string& id, const std::string& secret) {
    return std::string(api_token_prefix) + id + "_" + secret;
}

std::optional<ApiTokenParts> parse_api_token(std::string_view token) {
    if (token.substr(0, api_token_prefix.size()) != api_token_prefix) return std::nullopt;
    token.remove_prefix(api_token_prefix.size());
    // "t_" + 16 hex, then "_", then the secret.
    constexpr std::size_t id_size = 18;
    if (token.size() <= id_size + 1 || token.substr(0, 2) != "t_" || token[id_size] != '_') return std::nullopt;
    std::string_view id = token.substr(0, id_size);
    if (id.substr(2).find_first_not_of("0123456789abcdef") != std::string_view::npos) return std::nullopt;
    std::string_view secret = token.substr(id_size + 1);
    if (secret.size() != 43 || !base64url_decode(secret)) return std::nullopt;
    return ApiTokenParts{std::string(id), std::string(secret)};
}

std::string new_api_token_id() { return "t_" + to_hex(random_bytes(8)); }
std::string new_user_id() { return "u_" + to_hex(random_bytes(8)); }

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto semi = header.find(';', pos);
        auto pair = header.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            auto v = pair.substr(eq + 1);
            while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
            return std::string(v);
        }
        if (semi == std::string_view::npos) break;
        pos = semi + 1;
    }
    return std::nullopt;
}

}  // namespace liveblog::accounts
