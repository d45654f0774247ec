#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/validation.hpp"

using namespace liveblog;
using nlohmann::json;

namespace {

struct Outcome {
    ErrorCode code = ErrorCode::ok;
    std::string message;
};

template <typename F>
Outcome outcome_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return {e.code, e.message};
    }
    return {};
}

Outcome validate_one(const json& block, const ContentLimits& limits = {}) {
    return outcome_of([&] { validate_blocks(json::array({block}), limits); });
}

struct BlockCase {
    const char* name;
    json block;
    bool valid;
    const char* message_part = "";  // expected in the message when invalid
};

json text_block(std::string s) { return {{"type", "text"}, {"text", std::move(s)}}; }
json image_with_src(std::string src) { return {{"type", "image"}, {"src", std::move(src)}, {"alt", "Une photo"}}; }
// An image with width and height as given (a discarded value leaves the field out).
json image_sized(json width, json height) {
    json b = image_with_src("https://a.example/x.png");
    if (!width.is_discarded()) b["width"] = width;
    if (!height.is_discarded()) b["height"] = height;
    return b;
}
json embed_with_url(std::string url) { return {{"type", "embed"}, {"url", std::move(url)}}; }

void run(const std::vector<BlockCase>& cases) {
    for (const auto& c : cases) {
        INFO(c.name << ": " << c.block.dump(-1, ' ', false, json::error_handler_t::replace));
        const auto result = validate_one(c.block);
        if (c.valid) {
            CHECK(result.code == ErrorCode::ok);
            CHECK(result.message == "");
        } else {
            CHECK(result.code == ErrorCode::invalid_content);
            CHECK_THAT(result.message, Catch::Contains(c.message_part));
        }
    }
}

}  // namespace

TEST_CASE("validate_blocks: every block type - valid forms", "[validation]") {
    run({
        {"text", text_block("Un paragraphe."), true},
        {"text with newline and tab", text_block("Ligne 1\nLigne 2\tfin"), true},
        {"text with guillemets, accents, apostrophe, emoji",
         text_block("« Ça déborde », dit l’élue. Œuvre, naïve, Noël ⚠️ 🌧️ 👍🏽"), true},
        {"text with bold, italic and an https link",
         text_block("**Alerte** _rouge_ : voir [le bulletin](https://meteo.example/b?x=1#top)."), true},
        {"text with an http link", text_block("[ici](http://example.com)"), true},
        {"link with balanced parentheses", text_block("[wiki](https://fr.wikipedia.org/wiki/Crue_(hydrologie))"),
         true},
        {"square brackets without a link", text_block("[Mise à jour] la crue (suite)"), true},
        {"heading", {{"type", "heading"}, {"text", "Nuit blanche"}}, true},
        {"quote with cite", {{"type", "quote"}, {"text", "On a tout perdu."}, {"cite", "Une habitante"}}, true},
        {"quote without cite", {{"type", "quote"}, {"text", "On a tout perdu."}}, true},
        {"quote with null cite", {{"type", "quote"}, {"text", "On a tout perdu."}, {"cite", nullptr}}, true},
        {"image, all fields",
         {{"type", "image"},
          {"src", "https://picsum.photos/seed/x/1200/800"},
          {"alt", "Une rue inondée"},
          {"caption", "La rue des Tanneurs.\nAu matin."},
          {"credit", "Photo : L. Ferrand"},
          {"width", 1200},
          {"height", 800}},
         true},
        {"image, required fields only", image_with_src("https://upload.wikimedia.org/a/b.jpg"), true},
        {"embed", embed_with_url("https://www.youtube.com/watch?v=abc"), true},
        {"embed with port", embed_with_url("https://example.com:8443/x"), true},
        {"embed with IPv6 host", embed_with_url("http://[2001:db8::1]:8080/"), true},
        {"embed with internationalised host and path", embed_with_url("https://bücher.example/Tempête"), true},
        {"scheme in upper case", embed_with_url("HTTPS://EXAMPLE.COM/"), true},
        {"list", {{"type", "list"}, {"items", {"un", "deux", "trois"}}}, true},
        {"list with one item", {{"type", "list"}, {"items", {"seul"}}}, true},
    });
}

TEST_CASE("validate_blocks: block shape and type", "[validation]") {
    run({
        {"block is a string", "text", false, "blocks[0]: must be an object"},
        {"block is an array", json::array({"text"}), false, "blocks[0]: must be an object"},
        {"missing type", {{"text", "x"}}, false, "blocks[0].type: required string"},
        {"type not a string", {{"type", 1}, {"text", "x"}}, false, "blocks[0].type: required string"},
        {"unknown type", {{"type", "html"}, {"text", "<b>x</b>"}}, false, "blocks[0].type: unknown block type"},
        {"type in the wrong case", {{"type", "Text"}, {"text", "x"}}, false, "unknown block type"},
    });
}

TEST_CASE("validate_blocks: text fields", "[validation]") {
    run({
        {"text missing", {{"type", "text"}}, false, "blocks[0].text: required string"},
        {"text null", {{"type", "text"}, {"text", nullptr}}, false, "blocks[0].text: required string"},
        {"text a number", {{"type", "text"}, {"text", 3}}, false, "blocks[0].text: required string"},
        {"text an array", {{"type", "text"}, {"text", {"a"}}}, false, "blocks[0].text: required string"},
        {"text empty", text_block(""), false, "blocks[0].text: must not be empty"},
        {"text only spaces and newlines", text_block("  \n\t "), false, "must not be empty"},
        {"text only no-break and zero-width spaces", text_block("\u00A0\u202F\u200B"), false, "must not be empty"},
        {"text with NUL", text_block(std::string("a\0b", 3)), false, "control character"},
        {"text with U+0001", text_block("a\x01" "b"), false, "control character"},
        {"text with carriage return", text_block("a\r\nb"), false, "control character"},
        {"text with escape", text_block("a\x1b[31mb"), false, "control character"},
        {"text with DEL", text_block("a\x7f"), false, "control character"},
        {"text with C1 NEL", text_block("a\u0085b"), false, "control character"},
        {"text not UTF-8 (built in code)", text_block("caf\xE9"), false, "not valid UTF-8"},
        {"heading empty", {{"type", "heading"}, {"text", " "}}, false, "blocks[0].text: must not be empty"},
        {"quote text missing", {{"type", "quote"}, {"cite", "x"}}, false, "blocks[0].text: required string"},
        {"quote cite not a string", {{"type", "quote"}, {"text", "x"}, {"cite", 5}}, false,
         "blocks[0].cite: must be a string"},
        {"quote cite with newline", {{"type", "quote"}, {"text", "x"}, {"cite", "a\nb"}}, false,
         "blocks[0].cite: contains a control character"},
        {"quote cite with tab", {{"type", "quote"}, {"text", "x"}, {"cite", "a\tb"}}, false, "control character"},
    });
}

TEST_CASE("validate_blocks: URLs in src - url and inline links", "[validation]") {
    run({
        {"src javascript:", image_with_src("javascript:alert(1)"), false, "blocks[0].src: must be an http(s) URL"},
        {"src JavaScript: mixed case", image_with_src("JavaScript:alert(1)"), false, "http(s) URL"},
        {"src data:", image_with_src("data:image/png;base64,AAAA"), false, "http(s) URL"},
        {"src protocol-relative", image_with_src("//evil.example/x.png"), false, "http(s) URL"},
        {"src relative", image_with_src("/img/x.png"), false, "http(s) URL"},
        {"src scheme only", image_with_src("http://"), false, "http(s) URL"},
        {"src empty host with path", image_with_src("https:///x.png"), false, "http(s) URL"},
        {"src ftp", image_with_src("ftp://example.com/x.png"), false, "http(s) URL"},
        {"width without height", image_sized(10, json(json::value_t::discarded)), false,
         "blocks[0].height: width and height go together"},
        {"width zero", image_sized(0, 5), false,
         "blocks[0].width: must be a whole number of pixels"},
        {"height as a string", image_sized(5, "5"),
         false, "blocks[0].height: must be a whole number of pixels"},
        {"width fractional", image_sized(5.5, 5),
         false, "blocks[0].width: must be a whole number"},
        {"width negative", image_sized(-5, 5),
         false, "blocks[0].width: must be a whole number"},
        {"src with a space", image_with_src("https://example.com/a b.png"), false, "http(s) URL"},
        {"src with a leading space", image_with_src(" https://example.com/a.png"), false, "http(s) URL"},
        {"src with a newline", image_with_src("https://example.com/\n"), false, "http(s) URL"},
        {"src with a tab in the scheme", image_with_src("ht\ttps://example.com/"), false, "http(s) URL"},
        {"src with a no-break space", image_with_src("https://example.com/a\u00A0b"), false, "http(s) URL"},
        {"src with userinfo", image_with_src("https://trusted.example@evil.example/"), false, "http(s) URL"},
        {"src with a double quote", image_with_src("https://example.com/\"onerror=x"), false, "http(s) URL"},
        {"src with angle brackets", image_with_src("https://example.com/<script>"), false, "http(s) URL"},
        {"src with a backslash host", image_with_src("https://\\evil.example/"), false, "http(s) URL"},
        {"src with a bad port", image_with_src("https://example.com:99999/"), false, "http(s) URL"},
        {"src with an empty port", image_with_src("https://example.com:/"), false, "http(s) URL"},
        {"src not a string", {{"type", "image"}, {"src", 1}, {"alt", "x"}}, false, "blocks[0].src: required string"},
        {"src missing", {{"type", "image"}, {"alt", "x"}}, false, "blocks[0].src: required string"},
        {"image alt missing", {{"type", "image"}, {"src", "https://example.com/x.png"}}, false,
         "blocks[0].alt: required string"},
        {"image alt blank", {{"type", "image"}, {"src", "https://example.com/x.png"}, {"alt", "  "}}, false,
         "blocks[0].alt: must not be empty"},
        {"embed url javascript:", embed_with_url("javascript:alert(document.cookie)"), false,
         "blocks[0].url: must be an http(s) URL"},
        {"embed url missing", {{"type", "embed"}}, false, "blocks[0].url: required string"},
        {"embed url data:", embed_with_url("data:text/html,<script>alert(1)</script>"), false, "http(s) URL"},
        {"inline link javascript:", text_block("Cliquez [ici](javascript:alert(1))"), false,
         "blocks[0].text: link target must be an http(s) URL"},
        {"inline link with a space before the scheme", text_block("[x]( javascript:alert(1))"), false,
         "link target"},
        {"inline link data:", text_block("[x](data:text/html,hi)"), false, "link target"},
        {"inline link protocol-relative", text_block("[x](//evil.example)"), false, "link target"},
        {"inline link in angle brackets", text_block("[x](<javascript:alert(1)>)"), false, "link target"},
        {"inline link empty", text_block("[x]()"), false, "link target"},
        {"second inline link bad", text_block("[a](https://ok.example) puis [b](vbscript:x)"), false,
         "link target"},
        {"inline link unterminated", text_block("[x](https://example.com"), false, "unterminated link target"},
        {"inline link in a quote", {{"type", "quote"}, {"text", "[x](javascript:y)"}}, false, "link target"},
        {"inline link in a caption",
         {{"type", "image"}, {"src", "https://e.example/i.png"}, {"alt", "a"}, {"caption", "[x](javascript:y)"}},
         false, "blocks[0].caption: link target"},
        {"inline link in a list item", {{"type", "list"}, {"items", {"[x](javascript:y)"}}}, false,
         "blocks[0].items[0]: link target"},
    });
}

TEST_CASE("validate_blocks: lists", "[validation]") {
    json fifty = json::array(), fifty_one = json::array();
    for (int i = 0; i < 51; ++i) {
        if (i < 50) fifty.push_back("élément " + std::to_string(i));
        fifty_one.push_back("élément " + std::to_string(i));
    }
    run({
        {"50 items", {{"type", "list"}, {"items", fifty}}, true},
        {"51 items", {{"type", "list"}, {"items", fifty_one}}, false, "blocks[0].items: must hold 1 to 50 items"},
        {"items missing", {{"type", "list"}}, false, "blocks[0].items: required array"},
        {"items a string", {{"type", "list"}, {"items", "a, b"}}, false, "blocks[0].items: required array"},
        {"items empty", {{"type", "list"}, {"items", json::array()}}, false, "must hold 1 to 50 items"},
        {"item a number", {{"type", "list"}, {"items", {"a", 2}}}, false, "blocks[0].items[1]: must be a string"},
        {"item empty", {{"type", "list"}, {"items", {"a", ""}}}, false, "blocks[0].items[1]: must not be empty"},
        {"item with newline", {{"type", "list"}, {"items", {"a\nb"}}}, false, "control character"},
        {"item too long", {{"type", "list"}, {"items", {std::string(501, 'x')}}}, false,
         "blocks[0].items[0]: longer than 500 bytes"},
    });
}

TEST_CASE("validate_blocks: sizes", "[validation]") {
    const ContentLimits limits;
    CHECK(validate_one(text_block(std::string(limits.max_text_bytes, 'x'))).code == ErrorCode::ok);
    const auto long_text = validate_one(text_block(std::string(limits.max_text_bytes + 1, 'x')));
    CHECK(long_text.code == ErrorCode::invalid_content);
    CHECK(long_text.message == "blocks[0].text: longer than 20000 bytes");

    // Bytes, not characters: 10,001 two-byte letters are over 20,000.
    std::string accents;
    for (int i = 0; i < 10001; ++i) accents += "é";
    CHECK(validate_one(text_block(accents)).code == ErrorCode::invalid_content);

    const std::string host = "https://example.com/";
    CHECK(validate_one(embed_with_url(host + std::string(limits.max_url_bytes - host.size(), 'a'))).code ==
          ErrorCode::ok);
    const auto long_url = validate_one(embed_with_url(host + std::string(limits.max_url_bytes, 'a')));
    CHECK(long_url.code == ErrorCode::invalid_content);
    CHECK(long_url.message == "blocks[0].url: longer than 2048 bytes");

    const json image = {{"type", "image"},
                        {"src", "https://example.com/x.png"},
                        {"alt", "a"},
                        {"credit", std::string(501, 'c')}};
    CHECK(validate_one(image).message == "blocks[0].credit: longer than 500 bytes");

    ContentLimits tight;
    tight.max_text_bytes = 5;
    CHECK(validate_one(text_block("12345"), tight).code == ErrorCode::ok);
    CHECK(validate_one(text_block("123456"), tight).code == ErrorCode::invalid_content);
}

TEST_CASE("validate_blocks: the blocks array", "[validation]") {
    json fifty = json::array();
    for (int i = 0; i < 50; ++i) fifty.push_back(text_block("Paragraphe " + std::to_string(i)));
    CHECK(validate_blocks(fifty).size() == 50);

    json fifty_one = fifty;
    fifty_one.push_back(text_block("Un de trop"));
    const auto too_many = outcome_of([&] { validate_blocks(fifty_one); });
    CHECK(too_many.code == ErrorCode::invalid_content);
    CHECK(too_many.message == "blocks: must hold 1 to 50 blocks");

    const std::vector<std::pair<const char*, json>> not_arrays = {
        {"empty array", json::array()},
        {"object", json::object({{"type", "text"}, {"text", "x"}})},
        {"string", "text"},
        {"null", nullptr},
        {"number", 1},
    };
    for (const auto& [name, blocks] : not_arrays) {
        INFO(name);
        CHECK(outcome_of([&] { validate_blocks(blocks); }).code == ErrorCode::invalid_content);
    }

    // The path names the offending block's index.
    const json third_bad = {text_block("a"), text_block("b"), {{"type", "text"}, {"text", 7}}};
    CHECK(outcome_of([&] { validate_blocks(third_bad); }).message == "blocks[2].text: required string");
}

TEST_CASE("validate_blocks: normalisation keeps only the contract's fields", "[validation]") {
    const json input = json::parse(R"([
        {"type":"text","text":"« Bonjour » 👋","style":"color:red","html":"<b>x</b>"},
        {"type":"quote","text":"Citation","cite":"Quelqu’un","onclick":"x"},
        {"type":"quote","text":"Sans source","cite":null},
        {"type":"image","src":"https://e.example/i.png","alt":"a","caption":"","credit":"  ","width":3,"height":2,"depth":1},
        {"type":"image","src":"https://e.example/i.png","alt":"a","caption":"Légende","credit":"AFP"},
        {"type":"embed","url":"https://e.example/v","script":"https://evil.example/x.js"},
        {"type":"list","items":["un","deux"],"ordered":true},
        {"type":"heading","text":"Titre","level":1}
    ])");
    const json expected = json::parse(R"([
        {"type":"text","text":"« Bonjour » 👋"},
        {"type":"quote","text":"Citation","cite":"Quelqu’un"},
        {"type":"quote","text":"Sans source"},
        {"type":"image","src":"https://e.example/i.png","alt":"a","width":3,"height":2},
        {"type":"image","src":"https://e.example/i.png","alt":"a","caption":"Légende","credit":"AFP"},
        {"type":"embed","url":"https://e.example/v"},
        {"type":"list","items":["un","deux"]},
        {"type":"heading","text":"Titre"}
    ])");
    const json out = validate_blocks(input);
    CHECK(out == expected);
    // UTF-8 round-trips byte for byte.
    CHECK(out[0]["text"].get<std::string>() == "\u00AB Bonjour \u00BB \U0001F44B");
}

TEST_CASE("is_http_url: table", "[validation]") {
    const std::vector<std::pair<std::string, bool>> cases = {
        {"http://example.com", true},
        {"https://example.com/", true},
        {"https://example.com:443/path?q=1&r=é#frag", true},
        {"https://sub.domain.example/a/(b)", true},
        {"https://a.example?x", true},
        {"https://a.example#x", true},
        {"http://127.0.0.1:8080/", true},
        {"http://[::1]/", true},
        {"http://", false},
        {"https://", false},
        {"https://:80/", false},
        {"https://./", false},
        {"https://[]/", false},
        {"https://[::1/", false},
        {"https://[::1]x/", false},
        {"https://exa mple.com", false},
        {"https://example.com/\x7f", false},
        {"https://example.com/\u2028", false},
        {"https://example.com/\uFEFF", false},
        {"https://example.com/\xff", false},
        {"https://u:p@example.com", false},
        {"https://example.com`", false},
        {"javascript:alert(1)", false},
        {"javascript://example.com/%0aalert(1)", false},
        {"data:text/plain,hi", false},
        {"//example.com", false},
        {"example.com", false},
        {"http:example.com", false},
        {"http:/example.com", false},
        {"mailto:a@example.com", false},
        {"", false},
    };
    for (const auto& [url, valid] : cases) {
        INFO(url);
        CHECK(is_http_url(url) == valid);
    }
}

TEST_CASE("slugs: table", "[validation]") {
    const std::vector<std::pair<std::string, bool>> cases = {
        {"a", true},
        {"demo-en-direct", true},
        {"2024-election", true},
        {"-", true},
        {std::string(64, 'a'), true},
        {std::string(65, 'a'), false},
        {"", false},
        {"Demo", false},
        {"demo_en_direct", false},
        {"demo en direct", false},
        {"démo", false},
        {"demo/../etc", false},
        {"demo.", false},
        {std::string("a\0b", 3), false},
    };
    for (const auto& [slug, valid] : cases) {
        INFO(slug);
        CHECK(is_valid_slug(slug) == valid);
        const auto result = outcome_of([&] { check_slug(slug); });
        CHECK(result.code == (valid ? ErrorCode::ok : ErrorCode::invalid_slug));
    }
}

TEST_CASE("langs: table", "[validation]") {
    const std::vector<std::pair<std::string, bool>> cases = {
        {"fr", true},
        {"en", true},
        {"fra", true},
        {"en-GB", true},
        {"fr-FR", true},
        {"zh-Hant-TW", true},
        {"es-419", true},
        {"de-CH-1901", true},
        {"sl-rozaj-biske", true},
        {"x-ab-abcdefgh", false},  // private-use primary subtags are not accepted
        {"en-abcdefgh", true},
        {"en-abcdefghi", false},
        {"f", false},
        {"fran", false},
        {"", false},
        {"fr-", false},
        {"-fr", false},
        {"fr--FR", false},
        {"fr_FR", false},
        {"fr FR", false},
        {"12", false},
        {"fr-FR-\xC3\xA9", false},
        {"en-aaaaaaaa-bbbbbbbb-cccccccc", true},      // 29 chars
        {"en-aaaaaaaa-bbbbbbbb-cccccccc-ddddd", true},    // 35 chars
        {"en-aaaaaaaa-bbbbbbbb-cccccccc-dddddd", false},  // 36 chars
    };
    for (const auto& [lang, valid] : cases) {
        INFO(lang);
        CHECK(is_valid_lang(lang) == valid);
    }
}

TEST_CASE("check_short_text: table", "[validation]") {
    struct Case {
        std::string value;
        std::size_t max_bytes;
        const char* message;  // empty: accepted
    };
    const std::vector<Case> cases = {
        {"Camille Roussel", 500, ""},
        {"Tempête : « la crue » 🌊", 500, ""},
        {" padded ", 500, ""},
        {std::string(10, 'x'), 10, ""},
        {"é", 2, ""},
        {"é", 1, "title: longer than 1 bytes"},
        {std::string(11, 'x'), 10, "title: longer than 10 bytes"},
        {"", 500, "title: must not be empty"},
        {"   ", 500, "title: must not be empty"},
        {"deux\nlignes", 500, "title: contains a control character"},
        {"tab\there", 500, "title: contains a control character"},
        {"bip\x07", 500, "title: contains a control character"},
        {"\xC3\x28", 500, "title: not valid UTF-8"},
        {"[x](javascript:y)", 500, "title: link target must be an http(s) URL"},
    };
    for (const auto& c : cases) {
        INFO(c.value);
        const auto result = outcome_of([&] { check_short_text("title", c.value, c.max_bytes); });
        CHECK(result.code == (*c.message ? ErrorCode::invalid_content : ErrorCode::ok));
        CHECK(result.message == c.message);
    }
}
