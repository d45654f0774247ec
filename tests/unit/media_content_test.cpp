// The content rules of uploaded images, lead images, related links and
// embed cards (core/validation), with a catalog standing in for the
// MediaStore: the single class under test is the validator.
#include <catch2/catch.hpp>

#include <map>

#include "core/validation.hpp"

using namespace liveblog;
using nlohmann::json;

namespace {

class FakeCatalog final : public MediaCatalog {
public:
    std::map<std::string, MediaInfo, std::less<>> items;
    std::optional<MediaInfo> find(std::string_view id) const override {
        auto it = items.find(id);
        if (it == items.end()) return std::nullopt;
        return it->second;
    }
};

const std::string kPhoto = "0123456789abcdef0123456789abcdef";

struct Fixture {
    FakeCatalog catalog;
    ContentLimits limits;
    Fixture() {
        catalog.items[kPhoto] = MediaInfo{kPhoto, 1200, 800, {320, 640, 1024, 1200}};
        limits.media = &catalog;
    }
    std::string refusal(const json& block) const {
        try {
            validate_blocks(json::array({block}), limits);
        } catch (const Error& e) {
            CHECK(e.code == ErrorCode::invalid_content);
            return e.message;
        }
        return {};
    }
};

// liveblog::Error is not a std::exception: its message, or "" when nothing was thrown.
template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.message;
    }
    return {};
}

json card_block(json card) { return {{"type", "embed"}, {"url", "https://bsky.app/profile/a/post/1"}, {"card", card}}; }

}  // namespace

TEST_CASE("media images: the catalog sets the size; unknown, malformed or doubled sources are refused", "[validation][media]") {
    Fixture f;
    json out = validate_blocks(json::array({{{"type", "image"}, {"media", kPhoto}, {"alt", "La digue"},
                                             {"width", 5}, {"height", 5}, {"widths", {1, 2}}}}),
                               f.limits)[0];
    CHECK(out == json({{"type", "image"}, {"media", kPhoto}, {"alt", "La digue"}, {"width", 1200}, {"height", 800},
                       {"widths", {320, 640, 1024, 1200}}}));
    CHECK(f.refusal({{"type", "image"}, {"media", std::string(32, 'f')}, {"alt", "x"}}) ==
          "blocks[0].media: no such media: upload it first");
    CHECK(f.refusal({{"type", "image"}, {"media", "0123456789ABCDEF0123456789ABCDEF"}, {"alt", "x"}}) ==
          "blocks[0].media: must be an uploaded image's id (32 lowercase hex digits)");
    CHECK(f.refusal({{"type", "image"}, {"media", "../" + kPhoto}, {"alt", "x"}}) ==
          "blocks[0].media: must be an uploaded image's id (32 lowercase hex digits)");
    CHECK(f.refusal({{"type", "image"}, {"media", 42}, {"alt", "x"}}) ==
          "blocks[0].media: required string (an uploaded image's id)");
    CHECK(f.refusal({{"type", "image"}, {"media", kPhoto}, {"src", "https://a.example/x.jpg"}, {"alt", "x"}}) ==
          "blocks[0].src: give src or media, not both");
    CHECK(f.refusal({{"type", "image"}, {"media", kPhoto}}) == "blocks[0].alt: required string");
    // Without a catalog (no uploads), a media id names nothing.
    ContentLimits none;
    CHECK_THROWS_AS(validate_blocks(json::array({{{"type", "image"}, {"media", kPhoto}, {"alt", "x"}}}), none), Error);
    // External images are as before.
    CHECK(f.refusal({{"type", "image"}, {"src", "https://a.example/x.jpg"}, {"alt", "x"}, {"width", 10}, {"height", 5}}) == "");
}

TEST_CASE("embed cards: plain text fields, an http author_url, an uploaded thumbnail only", "[validation][media]") {
    Fixture f;
    json full = card_block({{"provider", "Bluesky"}, {"author", "Ana (@ana.example)"}, {"author_url", "https://bsky.app/profile/ana"},
                            {"title", "Post"}, {"text", "Line one\nLine [two](javascript:x)"}, {"date", "7 décembre 2026"},
                            {"thumbnail", {{"media", kPhoto}}}, {"html", "<script>x</script>"}});
    json out = validate_blocks(json::array({full}), f.limits)[0];
    // Marks are not read in card text, so a "link" in it is just characters.
    CHECK(out["card"]["text"] == "Line one\nLine [two](javascript:x)");
    CHECK(out["card"]["thumbnail"] == json({{"media", kPhoto}, {"width", 1200}, {"height", 800}, {"widths", {320, 640, 1024, 1200}}}));
    CHECK_FALSE(out["card"].contains("html"));  // unknown fields dropped

    CHECK(f.refusal(card_block({{"author", "x"}})) == "blocks[0].card.provider: required string");
    CHECK(f.refusal(card_block("a string")) == "blocks[0].card: must be an object");
    CHECK(f.refusal(card_block({{"provider", "X"}, {"author_url", "javascript:alert(1)"}})) ==
          "blocks[0].card.author_url: must be an http(s) URL");
    CHECK(f.refusal(card_block({{"provider", "X"}, {"thumbnail", {{"src", "https://tracker.example/p.gif"}}}})) ==
          "blocks[0].card.thumbnail.media: required string (an uploaded image's id)");
    CHECK(f.refusal(card_block({{"provider", "X"}, {"author", "two\nlines"}})) ==
          "blocks[0].card.author: contains a control character");
    CHECK(f.refusal(card_block({{"provider", "X"}, {"text", std::string(5001, 'a')}})) ==
          "blocks[0].card.text: longer than 5000 bytes");
}

TEST_CASE("lead image and related links: normalised like image blocks, at most 10 links", "[validation][media]") {
    Fixture f;
    json lead = validate_lead_image({{"media", kPhoto}, {"alt", "La vallée"}, {"credit", "Reuters"}, {"type", "image"}}, f.limits);
    CHECK(lead == json({{"media", kPhoto}, {"alt", "La vallée"}, {"credit", "Reuters"}, {"width", 1200}, {"height", 800},
                        {"widths", {320, 640, 1024, 1200}}}));
    CHECK(validate_lead_image({{"src", "https://a.example/x.jpg"}, {"alt", "x"}}, f.limits) ==
          json({{"src", "https://a.example/x.jpg"}, {"alt", "x"}}));
    CHECK(message_of([&] { validate_lead_image("https://a.example/x.jpg", f.limits); }) ==
          "lead_image: must be an object (an image block without its type), or null");
    CHECK(message_of([&] { validate_lead_image({{"src", "https://a.example/x.jpg"}}, f.limits); }) ==
          "lead_image.alt: required string");

    json ten = json::array();
    for (int i = 0; i < 10; ++i) ten.push_back({{"title", "Lien " + std::to_string(i)}, {"url", "https://e.org/" + std::to_string(i)}, {"x", 1}});
    json out = validate_related(ten, f.limits);
    CHECK(out.size() == 10);
    CHECK(out[0] == json({{"title", "Lien 0"}, {"url", "https://e.org/0"}}));
    ten.push_back({{"title", "one more"}, {"url", "https://e.org/x"}});
    CHECK(message_of([&] { validate_related(ten, f.limits); }) == "related: at most 10 links");
    CHECK(message_of([&] { validate_related(json::array({{{"title", ""}, {"url", "https://e.org"}}}), f.limits); }) ==
          "related[0].title: must not be empty");
    CHECK(message_of([&] { validate_related(json::array({{{"title", "t"}, {"url", "data:text/html,x"}}}), f.limits); }) ==
          "related[0].url: must be an http(s) URL");
    CHECK(message_of([&] { validate_related(json::object(), f.limits); }) == "related: must be an array of {title, url}");
    CHECK(validate_related(json::array(), f.limits) == json::array());
}
