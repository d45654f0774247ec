// libFuzzer harness: a provider's oEmbed answer (embed/oembed), the one
// input of an embed capture that comes from outside, as bytes:
//  - html_to_text of any bytes is valid UTF-8, trimmed, with no control
//    character but newlines, and never longer than its input plus the
//    growth of decoded entities (at most 4 bytes for each 3 of "&#N;");
//  - post_text_from_html gives the same guarantees for text and date;
//  - for a JSON object, card_from_oembed's fields are strings within the
//    card limits (one line where the card needs one), valid UTF-8, and
//    "provider" is never empty.
// Inputs are parsed with the same bounds an embed capture uses.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/utf8.hpp"
#include "core/bounded_json.hpp"
#include "embed/oembed.hpp"
#include "fuzz_check.hpp"

namespace {

void check_text(const std::string& s, bool one_line) {
    FUZZ_REQUIRE(liveblog::is_valid_utf8(s));
    for (unsigned char c : s) {
        FUZZ_REQUIRE(c >= 0x20 || c == '\n');
        FUZZ_REQUIRE(c != 0x7F);
        if (one_line) FUZZ_REQUIRE(c != '\n');
    }
    if (!s.empty()) {
        FUZZ_REQUIRE(s.front() != ' ' && s.front() != '\n');
        FUZZ_REQUIRE(s.back() != ' ' && s.back() != '\n');
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace liveblog;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto text = embed::html_to_text(input);
    check_text(text, false);
    FUZZ_REQUIRE(text.size() <= input.size() * 2);
    const auto post = embed::post_text_from_html(input);
    check_text(post.text, false);
    check_text(post.date, false);

    JsonLimits limits;
    JsonRefusal refusal;
    auto answer = parse_bounded_json(input, limits, refusal);
    if (refusal != JsonRefusal::none || !answer.is_object()) return 0;
    OembedProvider provider{"Fuzz", "https://fuzz.example/oembed", {"*"}, "", false};
    auto draft = embed::card_from_oembed(answer, provider);
    FUZZ_REQUIRE(draft.card.is_object());
    FUZZ_REQUIRE(draft.card.contains("provider") && !draft.card["provider"].get<std::string>().empty());
    for (auto& [key, value] : draft.card.items()) {
        FUZZ_REQUIRE(value.is_string());
        const auto& s = value.get_ref<const std::string&>();
        if (key == "author_url") continue;  // checked as a URL by the capture, then by validation
        FUZZ_REQUIRE(s.size() <= (key == "text" ? 5000u : 500u));
        check_text(s, key != "text");
    }
    return 0;
}
