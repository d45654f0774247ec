#include <catch2/catch.hpp>

#include <string>

#include "http/compression.hpp"
#include "http/encoded_response.hpp"

using namespace liveblog;
namespace http = boost::beast::http;

namespace {

std::string french_text(std::size_t n) {
    std::string s;
    while (s.size() < n) s += "La Vérenne a dépassé la cote d'alerte à Saint-Aubin ; évacuations en cours. ";
    return s;
}

HttpRequest get_with(const std::string& accept_encoding, const std::string& if_none_match = {}) {
    HttpRequest req{http::verb::get, "/x", 11};
    if (!accept_encoding.empty()) req.set(http::field::accept_encoding, accept_encoding);
    if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
    return req;
}

}  // namespace

TEST_CASE("compression: gzip and brotli round-trip and shrink text", "[compression]") {
    const std::string text = french_text(20000);
    std::string back;
    const auto gz = gzip_compress(text, 6);
    REQUIRE(gzip_decompress(gz, back));
    CHECK(back == text);
    CHECK(gz.size() * 4 < text.size());
    const auto br = brotli_compress(text, 5);
    REQUIRE(brotli_decompress(br, back));
    CHECK(back == text);
    CHECK(br.size() < gz.size());
    // Not a whole stream: refused, never a partial success.
    CHECK_FALSE(gzip_decompress(gz.substr(0, gz.size() / 2), back));
    CHECK_FALSE(brotli_decompress(br.substr(0, br.size() / 2), back));
    CHECK_FALSE(gzip_decompress("not gzip at all", back));
}

TEST_CASE("compression: Accept-Encoding, weights and the wildcard", "[compression]") {
    struct Row {
        const char* header;
        bool gzip, br;
    };
    const Row rows[] = {
        {"", false, false},
        {"gzip", true, false},
        {"gzip, deflate, br", true, true},
        {"GZIP;q=0.5 , BR;q=1.0", true, true},
        {"br;q=0", false, false},
        {"br;q=0.000, gzip;q=0.001", true, false},
        {"*", true, true},
        {"*;q=0, gzip", true, false},
        {"identity", false, false},
        {"x-gzip", true, false},
        {"gzip;q=0, *", false, true},
        {",,;;q=,", false, false},
    };
    for (const auto& r : rows) {
        INFO(r.header);
        auto a = parse_accept_encoding(r.header);
        CHECK(a.gzip == r.gzip);
        CHECK(a.br == r.br);
    }
    CHECK(choose_coding({true, true}, true, true) == ContentCoding::br);
    CHECK(choose_coding({true, true}, true, false) == ContentCoding::gzip);
    CHECK(choose_coding({false, true}, true, false) == ContentCoding::identity);
    CHECK(choose_coding({}, true, true) == ContentCoding::identity);
}

TEST_CASE("encoded response: each client gets the form it accepts, with Vary and a weak ETag", "[compression]") {
    const std::string body = french_text(8000);
    auto e = encode_response(200, body, "text/html; charset=utf-8", "\"e-7-page-0\"", "public, max-age=2", true,
                             per_change_levels);
    REQUIRE_FALSE(e->gzip.empty());
    REQUIRE_FALSE(e->br.empty());

    auto plain = answer_encoded(get_with(""), *e);
    CHECK(plain.body() == body);
    CHECK(plain.find(http::field::content_encoding) == plain.end());
    CHECK(plain[http::field::etag] == "\"e-7-page-0\"");
    CHECK(plain[http::field::vary] == "Accept-Encoding");

    std::string back;
    auto gz = answer_encoded(get_with("gzip"), *e);
    CHECK(gz[http::field::content_encoding] == "gzip");
    CHECK(gz[http::field::etag] == "W/\"e-7-page-0\"");
    REQUIRE(gzip_decompress(gz.body(), back));
    CHECK(back == body);

    auto br = answer_encoded(get_with("gzip, br"), *e);
    CHECK(br[http::field::content_encoding] == "br");
    REQUIRE(brotli_decompress(br.body(), back));
    CHECK(back == body);
    CHECK(br[http::field::content_length] == std::to_string(br.body().size()));

    // Revalidation with either form's tag: 304, no body.
    for (const char* tag : {"\"e-7-page-0\"", "W/\"e-7-page-0\""}) {
        auto nm = answer_encoded(get_with("br", tag), *e);
        CHECK(nm.result() == http::status::not_modified);
        CHECK(nm.body().empty());
        CHECK(nm[http::field::vary] == "Accept-Encoding");
    }
    CHECK(answer_encoded(get_with("br", "\"e-6-page-0\""), *e).result() == http::status::ok);
}

TEST_CASE("encoded response: small bodies and images stay as they are", "[compression]") {
    auto small = encode_response(200, "{\"ok\":true}", "application/json", {}, {}, true, per_change_levels);
    CHECK(small->gzip.empty());
    CHECK(small->br.empty());
    auto image = encode_response(200, std::string(5000, 'a'), "image/png", {}, {}, true, per_change_levels);
    CHECK(image->gzip.empty());
    auto off = encode_response(200, french_text(5000), "text/html", {}, {}, false, per_change_levels);
    CHECK(off->br.empty());
    auto off_answer = answer_encoded(get_with("br"), *off);
    CHECK(off_answer.find(http::field::vary) == off_answer.end());
}

TEST_CASE("compress_response: on the fly, only when worth it", "[compression]") {
    const std::string body = french_text(4000);
    auto res = text_response(200, body, "application/json; charset=utf-8");
    res.set(http::field::etag, "\"t\"");
    compress_response({true, false}, res);
    CHECK(res[http::field::content_encoding] == "gzip");
    CHECK(res[http::field::etag] == "W/\"t\"");
    CHECK(res[http::field::vary] == "Accept-Encoding");
    std::string back;
    REQUIRE(gzip_decompress(res.body(), back));
    CHECK(back == body);

    auto refused = text_response(200, body, "application/json");
    compress_response({}, refused);
    CHECK(refused.body() == body);
    CHECK(refused[http::field::vary] == "Accept-Encoding");  // the answer depended on it

    auto tiny = text_response(200, "{}", "application/json");
    compress_response({true, true}, tiny);
    CHECK(tiny.find(http::field::content_encoding) == tiny.end());

    // Vary lists accumulate.
    auto both = text_response(200, body, "text/plain");
    both.set(http::field::vary, "Origin");
    compress_response({false, true}, both);
    CHECK(both[http::field::vary] == "Origin, Accept-Encoding");
}
