#include "core/jwt.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/bounded_json.hpp"
#include "core/validation.hpp"

namespace liveblog {

using nlohmann::json;

namespace {

constexpr std::string_view header_hs256 = R"({"alg":"HS256","typ":"JWT"})";

// Far above any real token (a scope of a few dozen slugs), far below a frame:
// bounds the work an unauthenticated peer can ask for.
constexpr std::size_t max_token_bytes = 8192;

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<signed char, 256> make_decode_table() {
    std::array<signed char, 256> table{};
    for (auto& v : table) v = -1;
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return table;
}
constexpr auto decode_table = make_decode_table();

using Mac = std::array<unsigned char, 32>;

Mac hmac_sha256(std::string_view key, std::string_view data) {
    // HMAC() treats a null key as "reuse the previous one"; an empty
    // string_view may have a null data().
    static const unsigned char empty_key = 0;
    const void* key_ptr = key.empty() ? static_cast<const void*>(&empty_key) : key.data();
    Mac mac{};
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length) ||
        length != mac.size())
        throw Error{ErrorCode::internal, "HMAC-SHA256 failed"};
    return mac;
}

[[noreturn]] void reject(std::string message) { throw Error{ErrorCode::unauthorized, std::move(message)}; }

json decode_json_part(std::string_view part, const char* what) {
    const auto bytes = base64url_decode(part);
    if (!bytes) reject(std::string("token ") + what + " is not base64url");
    // The bytes are unauthenticated and may be anything: the bounded parser
    // never throws, and refuses deep or wide documents before building them.
    JsonLimits limits;
    limits.max_bytes = max_token_bytes;
    limits.max_depth = 8;
    limits.max_elements = 512;
    JsonRefusal refusal;
    json value = parse_bounded_json(*bytes, limits, refusal);
    if (refusal != JsonRefusal::none || !value.is_object()) reject(std::string("token ") + what + " is not a JSON object");
    return value;
}

}  // namespace

Principal Claims::principal() const {
    Principal p;
    p.kind = CredentialKind::signed_token;
    p.user_id = sub;
    p.name = sub;
    p.role = role;
    p.stories = stories;
    p.expires_at = exp;
    return p;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const std::size_t left = bytes.size() - i;
    if (left == 1) {
        const unsigned v = byte(i) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (left == 2) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

// Canonical form only: no padding, no characters outside the alphabet, and
// the unused low bits of the last character zero. Otherwise several strings
// would decode to the same signature and a token could be altered without
// breaking it.
std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int v = decode_table[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    if (buffer & ((1u << bits) - 1)) return std::nullopt;
    return out;
}

std::string sign_token(const Claims& claims, std::string_view secret, std::int64_t now_seconds) {
    if (secret.empty()) throw Error{ErrorCode::internal, "no token secret configured"};
    // What verify_token would refuse is never signed.
    if (!is_valid_author_name(claims.sub))
        throw Error{ErrorCode::bad_request, "sub must be a name of at most 500 bytes, no control characters"};
    if (claims.exp > max_token_exp) throw Error{ErrorCode::bad_request, "exp is after the year 9999"};
    if (claims.stories)
        for (const auto& s : *claims.stories)
            if (!is_valid_slug(s)) throw Error{ErrorCode::invalid_slug, "story '" + s + "' is not a story id"};
    json payload = {
        {"sub", claims.sub},
        {"role", to_string(claims.role)},
        {"exp", claims.exp},
        {"iat", now_seconds},
    };
    if (claims.stories) payload["stories"] = *claims.stories;

    std::string token = base64url_encode(header_hs256);
    token += '.';
    token += base64url_encode(payload.dump());
    const Mac mac = hmac_sha256(secret, token);
    token += '.';
    token += base64url_encode({reinterpret_cast<const char*>(mac.data()), mac.size()});
    return token;
}

// Order matters: the header is checked first (alg pinned to HS256, so "none"
// or an algorithm swap never reaches the MAC), then the signature, and only
// then are the claims interpreted. Expiry comes last so that an expired
// token is reported as such only when it is otherwise genuine.
Claims verify_token(std::string_view token, std::string_view secret, std::int64_t now_seconds) {
    if (secret.empty()) reject("no token secret configured");
    if (token.size() > max_token_bytes) reject("token too long");

    const auto dot1 = token.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        reject("token must have three parts");
    const auto header_part = token.substr(0, dot1);
    const auto payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const auto signature_part = token.substr(dot2 + 1);

    const json header = decode_json_part(header_part, "header");
    const auto alg = header.find("alg");
    if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256")
        reject("token alg must be HS256");

    const auto signature = base64url_decode(signature_part);
    if (!signature || signature->size() != Mac{}.size()) reject("token signature is malformed");
    const Mac expected = hmac_sha256(secret, token.substr(0, dot2));
    if (CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) != 0)
        reject("token signature does not verify");

    const json payload = decode_json_part(payload_part, "payload");
    Claims claims;

    const auto sub = payload.find("sub");
    if (sub == payload.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty())
        reject("token sub must be a non-empty string");
    claims.sub = sub->get<std::string>();
    // sub is the default author of entries: it obeys the author rule.
    if (!is_valid_author_name(claims.sub)) reject("token sub must be a name of at most 500 bytes, no control characters");

    const auto role = payload.find("role");
    const auto parsed_role = role != payload.end() && role->is_string()
                                 ? parse_role(role->get_ref<const std::string&>())
                                 : std::nullopt;
    if (!parsed_role) reject("token role must be contributor, editor or admin");
    claims.role = *parsed_role;

    // is_number_integer() is false for 1.7e9 and for "1700000000"; an
    // unsigned value above int64 would wrap, so it is refused too.
    // Past max_token_exp (the year 9999) it is refused: times in milliseconds
    // and ISO 8601 dates are computed from it without overflow.
    const auto exp = payload.find("exp");
    if (exp == payload.end() || !exp->is_number_integer() ||
        (exp->is_number_unsigned() &&
         exp->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())))
        reject("token exp must be an integer");
    claims.exp = exp->get<std::int64_t>();
    if (claims.exp > max_token_exp) reject("token exp is after the year 9999");

    if (const auto stories = payload.find("stories"); stories != payload.end()) {
        if (!stories->is_array()) reject("token stories must be an array of story ids");
        std::vector<std::string> scope;
        scope.reserve(stories->size());
        for (const auto& s : *stories) {
            if (!s.is_string() || !is_valid_slug(s.get_ref<const std::string&>()))
                reject("token stories must be an array of story ids");
            scope.push_back(s.get<std::string>());
        }
        claims.stories = std::move(scope);
    }

    if (claims.exp <= now_seconds) throw Error{ErrorCode::token_expired, "token expired"};
    return claims;
}

}  // namespace liveblog
