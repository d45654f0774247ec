// libFuzzer harness: editor tokens (core/jwt). The first byte picks a mode:
//
//   0x01  the rest is "HEADER\nPAYLOAD", two raw JSON texts: they are
//         base64url-encoded and signed with the known secret, so the claims
//         parsing behind the signature check is reached;
//   0x02  the rest derives claims (role, exp, now, scope, sub); sign_token
//         then verify_token must give them back;
//   else  the whole input is a token, as a client sends it.
//
// What must hold:
//  - refusals are liveblog::Error only (unauthorized, or token_expired);
//  - a token that verifies has a non-empty sub, exp after now and a scope of
//    slugs; signing its claims again verifies to the same claims;
//  - round trip: the claims come back unchanged; the token is refused with
//    another secret (unauthorized), at exp (token_expired), and with any one
//    character changed (unauthorized).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/error_code.hpp"
#include "common/utf8.hpp"
#include "core/jwt.hpp"
#include "core/validation.hpp"
#include "fuzz_check.hpp"

namespace {

constexpr std::string_view secret = "fuzz secret: correct horse battery staple";
constexpr std::int64_t fixed_now = 1'700'000'000;
// Below the upper bound on exp the server may enforce (year 9999); 2100-01-01.
constexpr std::int64_t max_exp = 4'102'444'800;
// verify_token refuses anything longer (core/jwt.cpp); a longer token is not a refusal to check.
constexpr std::size_t max_token_bytes = 8192;

bool same_claims(const liveblog::Claims& a, const liveblog::Claims& b) {
    return a.sub == b.sub && a.role == b.role && a.exp == b.exp && a.stories == b.stories;
}

// verify_token, with its refusals checked: nullopt when refused.
std::optional<liveblog::Claims> verify(std::string_view token, std::string_view key, std::int64_t now,
                                       liveblog::ErrorCode* refusal = nullptr) {
    try {
        liveblog::Claims claims = liveblog::verify_token(token, key, now);
        FUZZ_REQUIRE(!claims.sub.empty());
        FUZZ_REQUIRE(claims.exp > now);
        if (claims.stories)
            for (const auto& story : *claims.stories) FUZZ_REQUIRE(liveblog::is_valid_slug(story));
        return claims;
    } catch (const liveblog::Error& e) {
        FUZZ_REQUIRE(e.code == liveblog::ErrorCode::unauthorized || e.code == liveblog::ErrorCode::token_expired);
        if (refusal) *refusal = e.code;
        return std::nullopt;
    }
}

// A token that verified: its claims, signed again, verify to themselves.
void check_resign(const liveblog::Claims& claims, std::int64_t now) {
    const std::string token = liveblog::sign_token(claims, secret, now);
    if (token.size() > max_token_bytes) return;  // "iat" and the full header may make it longer
    const auto again = verify(token, secret, now);
    FUZZ_REQUIRE(again && same_claims(*again, claims));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &length);
    return std::string(reinterpret_cast<const char*>(mac), length);
}

void signed_json(std::string_view rest) {
    const std::size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) return;
    const std::string signing_input =
        liveblog::base64url_encode(rest.substr(0, newline)) + "." + liveblog::base64url_encode(rest.substr(newline + 1));
    const std::string token = signing_input + "." + liveblog::base64url_encode(hmac_sha256(secret, signing_input));
    if (const auto claims = verify(token, secret, fixed_now)) check_resign(*claims, fixed_now);
}

// Reads the input front to back; past its end, zeros.
class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}
    std::uint8_t byte() {
        if (s_.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(s_.front());
        s_.remove_prefix(1);
        return b;
    }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
        return v;
    }
    std::string_view rest() const { return s_; }

private:
    std::string_view s_;
};

void round_trip(std::string_view rest) {
    Reader in(rest);
    const std::uint8_t flags = in.byte();
    liveblog::Claims claims;
    claims.role = (flags & 1) ? liveblog::Role::admin : liveblog::Role::editor;
    const std::int64_t now = in.u32() % (max_exp - 1);
    claims.exp = now + 1 + static_cast<std::int64_t>(in.u32() % static_cast<std::uint32_t>(max_exp - now - 1));
    if (flags & 2) {
        // A scope of up to 7 slugs, each from a length byte and that many alphabet picks.
        static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
        std::vector<std::string> stories;
        const int count = (flags >> 2) & 7;
        for (int i = 0; i < count; ++i) {
            std::string slug(1 + in.byte() % 64, 'a');
            for (char& c : slug) c = alphabet[in.byte() % alphabet.size()];
            stories.push_back(std::move(slug));
        }
        claims.stories = std::move(stories);
    }
    // sub: the rest, when it is a name a token can carry (an author name:
    // UTF-8, 1 to 500 bytes, no control characters); sign_token refuses others.
    claims.sub = std::string(in.rest());
    if (!liveblog::is_valid_author_name(claims.sub)) {
        bool refused = false;
        try {
            (void)liveblog::sign_token(claims, secret, now);
        } catch (const liveblog::Error& e) {
            refused = e.code == liveblog::ErrorCode::bad_request;
        }
        FUZZ_REQUIRE(refused);
        return;
    }

    const std::string token = liveblog::sign_token(claims, secret, now);
    if (token.size() > max_token_bytes) return;
    const auto back = verify(token, secret, now);
    FUZZ_REQUIRE(back && same_claims(*back, claims));

    liveblog::ErrorCode refusal = liveblog::ErrorCode::ok;
    FUZZ_REQUIRE(!verify(token, "another secret", now, &refusal) && refusal == liveblog::ErrorCode::unauthorized);
    FUZZ_REQUIRE(!verify(token, secret, claims.exp, &refusal) && refusal == liveblog::ErrorCode::token_expired);

    // One character changed, at a place and to a value taken from the claims.
    std::string tampered = token;
    const std::size_t at = static_cast<std::size_t>(claims.exp) % tampered.size();
    tampered[at] = static_cast<char>(tampered[at] == 'A' ? 'B' : 'A');
    FUZZ_REQUIRE(!verify(tampered, secret, now, &refusal) && refusal == liveblog::ErrorCode::unauthorized);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (!input.empty() && input[0] == '\x01') {
        signed_json(input.substr(1));
    } else if (!input.empty() && input[0] == '\x02') {
        round_trip(input.substr(1));
    } else if (const auto claims = verify(input, secret, fixed_now)) {
        check_resign(*claims, fixed_now);
    }
    return 0;
}
