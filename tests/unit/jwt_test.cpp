#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/authorization.hpp"
#include "core/jwt.hpp"

using namespace liveblog;
using nlohmann::json;

namespace {

constexpr std::int64_t now = 1'700'000'000;
constexpr std::string_view secret = "correct horse battery staple";

// Builds a token by hand, independently of sign_token, so the tests can
// produce every malformed shape an attacker could send.
std::string hmac256(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &length);
    return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string make_token(const std::string& header, const std::string& payload, std::string_view key = secret) {
    const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
    return signing_input + "." + base64url_encode(hmac256(key, signing_input));
}

const std::string hs256 = R"({"alg":"HS256","typ":"JWT"})";

std::string payload(json p) { return p.dump(); }

json editor_claims() { return {{"sub", "camille"}, {"role", "editor"}, {"exp", now + 3600}}; }

struct Outcome {
    ErrorCode code = ErrorCode::ok;
    Claims claims;
};

Outcome verify(std::string_view token, std::string_view key = secret, std::int64_t at = now) {
    try {
        return {ErrorCode::ok, verify_token(token, key, at)};
    } catch (const Error& e) {
        return {e.code, {}};
    }
}

std::string with_part(const std::string& token, int index, const std::string& part) {
    const auto d1 = token.find('.');
    const auto d2 = token.find('.', d1 + 1);
    std::string parts[3] = {token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1)};
    parts[index] = part;
    return parts[0] + "." + parts[1] + "." + parts[2];
}

std::string part(const std::string& token, int index) {
    const auto d1 = token.find('.');
    const auto d2 = token.find('.', d1 + 1);
    if (index == 0) return token.substr(0, d1);
    if (index == 1) return token.substr(d1 + 1, d2 - d1 - 1);
    return token.substr(d2 + 1);
}

}  // namespace

TEST_CASE("jwt: sign_token round-trips through verify_token", "[jwt]") {
    Claims editor{"camille", Role::editor, now + 60, std::nullopt};
    Claims admin{"root", Role::admin, now + 60, std::nullopt};
    Claims scoped{"théo", Role::editor, now + 60, std::vector<std::string>{"demo-en-direct", "crue-2024"}};

    for (const Claims& c : {editor, admin, scoped}) {
        INFO(c.sub);
        const auto result = verify(sign_token(c, secret, now));
        REQUIRE(result.code == ErrorCode::ok);
        CHECK(result.claims.sub == c.sub);
        CHECK(result.claims.role == c.role);
        CHECK(result.claims.exp == c.exp);
        CHECK(result.claims.stories == c.stories);
    }

    SECTION("the payload carries iat = now and the header is HS256") {
        const auto token = sign_token(editor, secret, now);
        const json p = json::parse(*base64url_decode(part(token, 1)));
        CHECK(p.at("iat") == now);
        CHECK(p.at("exp") == now + 60);
        CHECK(p.at("role") == "editor");
        CHECK_FALSE(p.contains("stories"));
        CHECK(json::parse(*base64url_decode(part(token, 0))) == json::parse(hs256));
    }
    SECTION("an empty scope is kept as an empty scope") {
        Claims none{"x", Role::editor, now + 60, std::vector<std::string>{}};
        const auto result = verify(sign_token(none, secret, now));
        REQUIRE(result.code == ErrorCode::ok);
        REQUIRE(result.claims.stories.has_value());
        CHECK(result.claims.stories->empty());
    }
}

TEST_CASE("jwt: accept / reject table", "[jwt]") {
    const std::string good = make_token(hs256, payload(editor_claims()));
    const std::string good_signature = part(good, 2);

    // A signature whose unused low bits are set decodes to the same bytes;
    // it must still be refused, or tokens could be altered without the key.
    std::string non_canonical = good_signature;
    {
        const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const auto v = alphabet.find(non_canonical.back());
        non_canonical.back() = alphabet[v ^ 1];
    }
    std::string flipped_signature = good_signature;
    flipped_signature[5] = flipped_signature[5] == 'A' ? 'B' : 'A';

    auto claims_with = [](const char* key, json value) {
        json c = editor_claims();
        c[key] = std::move(value);
        return make_token(hs256, payload(c));
    };
    auto claims_without = [](const char* key) {
        json c = editor_claims();
        c.erase(key);
        return make_token(hs256, payload(c));
    };
    json tampered_claims = editor_claims();
    tampered_claims["role"] = "admin";

    struct Case {
        const char* name;
        std::string token;
        ErrorCode expected;
        std::string_view key = secret;
        std::int64_t at = now;
    };
    const std::vector<Case> cases = {
        {"valid editor", good, ErrorCode::ok},
        {"valid admin", claims_with("role", "admin"), ErrorCode::ok},
        {"valid scoped editor", claims_with("stories", {"demo-en-direct"}), ErrorCode::ok},
        {"extra claims ignored", claims_with("iss", "newsroom"), ErrorCode::ok},
        {"header without typ", make_token(R"({"alg":"HS256"})", payload(editor_claims())), ErrorCode::ok},
        {"one second before exp", good, ErrorCode::ok, secret, now + 3599},

        {"expired", good, ErrorCode::token_expired, secret, now + 3601},
        {"exp == now", good, ErrorCode::token_expired, secret, now + 3600},
        {"expired and badly signed is unauthorized", with_part(good, 2, flipped_signature),
         ErrorCode::unauthorized, secret, now + 7200},

        {"wrong secret", good, ErrorCode::unauthorized, "another secret"},
        {"empty secret", good, ErrorCode::unauthorized, ""},
        {"tampered payload", with_part(good, 1, base64url_encode(payload(tampered_claims))), ErrorCode::unauthorized},
        {"tampered signature", with_part(good, 2, flipped_signature), ErrorCode::unauthorized},
        {"non-canonical signature encoding", with_part(good, 2, non_canonical), ErrorCode::unauthorized},
        {"signature with padding", with_part(good, 2, good_signature + "="), ErrorCode::unauthorized},
        {"signature truncated", with_part(good, 2, good_signature.substr(0, 40)), ErrorCode::unauthorized},
        {"signature empty", with_part(good, 2, ""), ErrorCode::unauthorized},
        {"signature in standard base64", with_part(good, 2, "ab+/"), ErrorCode::unauthorized},

        {"alg none, no signature",
         base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(payload(editor_claims())) + ".",
         ErrorCode::unauthorized},
        {"alg none, HMAC signature", make_token(R"({"alg":"none","typ":"JWT"})", payload(editor_claims())),
         ErrorCode::unauthorized},
        {"alg None", make_token(R"({"alg":"None"})", payload(editor_claims())), ErrorCode::unauthorized},
        {"alg HS512", make_token(R"({"alg":"HS512","typ":"JWT"})", payload(editor_claims())), ErrorCode::unauthorized},
        {"alg RS256", make_token(R"({"alg":"RS256","typ":"JWT"})", payload(editor_claims())), ErrorCode::unauthorized},
        {"alg lower case", make_token(R"({"alg":"hs256"})", payload(editor_claims())), ErrorCode::unauthorized},
        {"alg missing", make_token(R"({"typ":"JWT"})", payload(editor_claims())), ErrorCode::unauthorized},
        {"alg not a string", make_token(R"({"alg":["HS256"]})", payload(editor_claims())), ErrorCode::unauthorized},
        {"header not JSON", make_token("{alg:HS256}", payload(editor_claims())), ErrorCode::unauthorized},
        {"header a JSON array", make_token(R"(["HS256"])", payload(editor_claims())), ErrorCode::unauthorized},

        {"payload not JSON", make_token(hs256, "{\"sub\":"), ErrorCode::unauthorized},
        {"payload a JSON string", make_token(hs256, "\"camille\""), ErrorCode::unauthorized},
        {"payload invalid UTF-8", make_token(hs256, "{\"sub\":\"\xC3\x28\",\"role\":\"editor\",\"exp\":1800000000}"),
         ErrorCode::unauthorized},
        {"missing exp", claims_without("exp"), ErrorCode::unauthorized},
        {"exp as string", claims_with("exp", std::to_string(now + 3600)), ErrorCode::unauthorized},
        {"exp as float", claims_with("exp", static_cast<double>(now + 3600)), ErrorCode::unauthorized},
        {"exp null", claims_with("exp", nullptr), ErrorCode::unauthorized},
        {"exp above int64", make_token(hs256, R"({"sub":"a","role":"editor","exp":18446744073709551615})"),
         ErrorCode::unauthorized},
        {"exp past the year 9999", claims_with("exp", max_token_exp + 1), ErrorCode::unauthorized},
        {"exp at the year 9999", claims_with("exp", max_token_exp), ErrorCode::ok},
        {"exp at int64 max", claims_with("exp", std::numeric_limits<std::int64_t>::max()), ErrorCode::unauthorized},
        {"sub with a control character", claims_with("sub", "cam\x01ille"), ErrorCode::unauthorized},
        {"sub over 500 bytes", claims_with("sub", std::string(501, 'a')), ErrorCode::unauthorized},
        {"payload nested deeper than 8", claims_with("x", json::parse("[[[[[[[[[1]]]]]]]]]")),
         ErrorCode::unauthorized},
        {"missing sub", claims_without("sub"), ErrorCode::unauthorized},
        {"empty sub", claims_with("sub", ""), ErrorCode::unauthorized},
        {"sub a number", claims_with("sub", 42), ErrorCode::unauthorized},
        {"missing role", claims_without("role"), ErrorCode::unauthorized},
        {"unknown role", claims_with("role", "owner"), ErrorCode::unauthorized},
        {"role in upper case", claims_with("role", "ADMIN"), ErrorCode::unauthorized},
        {"role not a string", claims_with("role", true), ErrorCode::unauthorized},
        {"stories not an array", claims_with("stories", "demo-en-direct"), ErrorCode::unauthorized},
        {"stories null", claims_with("stories", nullptr), ErrorCode::unauthorized},
        {"stories with a number", claims_with("stories", {"demo", 3}), ErrorCode::unauthorized},
        {"stories with a bad slug", claims_with("stories", {"Not A Slug"}), ErrorCode::unauthorized},

        {"garbage", "garbage", ErrorCode::unauthorized},
        {"empty", "", ErrorCode::unauthorized},
        {"two parts", part(good, 0) + "." + part(good, 1), ErrorCode::unauthorized},
        {"four parts", good + ".", ErrorCode::unauthorized},
        {"only dots", "..", ErrorCode::unauthorized},
        {"header with padding", with_part(good, 0, part(good, 0) + "=="), ErrorCode::unauthorized},
        {"whitespace around", " " + good, ErrorCode::unauthorized},
        {"Bearer prefix left on", "Bearer " + good, ErrorCode::unauthorized},
        {"far too long", make_token(hs256, payload(json{{"sub", std::string(20000, 'a')},
                                                        {"role", "editor"},
                                                        {"exp", now + 60}})),
         ErrorCode::unauthorized},
    };
    for (const auto& c : cases) {
        INFO(c.name << ": " << c.token);
        CHECK(verify(c.token, c.key, c.at).code == c.expected);
    }
}

TEST_CASE("jwt: sign_token refuses an empty secret", "[jwt]") {
    Claims c{"camille", Role::editor, now + 60, std::nullopt};
    CHECK_THROWS_AS(sign_token(c, "", now), Error);
}

TEST_CASE("jwt: sign_token refuses claims verify_token would refuse", "[jwt]") {
    CHECK_THROWS_AS(sign_token(Claims{"camille", Role::editor, max_token_exp + 1, std::nullopt}, secret, now), Error);
    CHECK_THROWS_AS(sign_token(Claims{"", Role::editor, now + 60, std::nullopt}, secret, now), Error);
    CHECK_THROWS_AS(sign_token(Claims{"a\nb", Role::editor, now + 60, std::nullopt}, secret, now), Error);
    CHECK_NOTHROW(sign_token(Claims{"camille", Role::editor, max_token_exp, std::nullopt}, secret, now));
}

TEST_CASE("jwt: scope checks", "[jwt]") {
    const Claims editor{"e", Role::editor, now + 60, std::nullopt};
    const Claims admin{"a", Role::admin, now + 60, std::nullopt};
    const Claims scoped_editor{"s", Role::editor, now + 60, std::vector<std::string>{"crue", "sommet"}};
    const Claims scoped_admin{"sa", Role::admin, now + 60, std::vector<std::string>{"crue"}};
    const Claims empty_scope{"z", Role::editor, now + 60, std::vector<std::string>{}};

    struct Case {
        const char* name;
        const Claims& claims;
        const char* story;
        bool may_act;
        bool may_create;
    };
    const std::vector<Case> cases = {
        {"unscoped editor", editor, "crue", true, false},
        {"admin", admin, "anything", true, true},
        {"scoped editor, in scope", scoped_editor, "sommet", true, false},
        {"scoped editor, out of scope", scoped_editor, "autre", false, false},
        {"scoped editor, prefix of a scoped id", scoped_editor, "cru", false, false},
        {"scoped admin, in scope", scoped_admin, "crue", true, true},
        {"scoped admin, out of scope", scoped_admin, "sommet", false, true},
        {"empty scope", empty_scope, "crue", false, false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const Principal p = c.claims.principal();
        CHECK(p.in_scope(c.story) == c.may_act);
        CHECK(role_allows(p.role, Action::create_story) == c.may_create);
    }
}

TEST_CASE("base64url: RFC 4648 vectors and strict decoding", "[jwt]") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},          {"f", "Zg"},         {"fo", "Zm8"},           {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"},
        {std::string("\0\0\0", 3), "AAAA"},
    };
    for (const auto& [bytes, text] : vectors) {
        INFO(text);
        CHECK(base64url_encode(bytes) == text);
        const auto decoded = base64url_decode(text);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == bytes);
    }

    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (std::size_t n = 0; n <= all.size(); n += 7) {
        const auto s = all.substr(0, n);
        CHECK(base64url_decode(base64url_encode(s)) == s);
    }

    const std::vector<std::string> rejected = {
        "Zg==",  // padding
        "Zg=",   "Z",    "Zm9vY", "Zh",  // length 1 mod 4, and unused bits set ('h')
        "Zm9=",  "Zm+v", "Zm/v",  "Zm v", "Zm\nv", "Zm.v", std::string("Zm\0v", 4), "Zm\xC3\xA9",
    };
    for (const auto& text : rejected) {
        INFO(text);
        CHECK_FALSE(base64url_decode(text).has_value());
    }
}
