#pragma once
// oEmbed (https://oembed.com): which configured provider takes a post's
// URL, the request to its endpoint, and its JSON answer turned into an
// embed card's plain-text fields. No HTML from a provider ever reaches a
// page: the card keeps text only, tags dropped and entities decoded.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config.hpp"

namespace liveblog::embed {

// `*` matches any run of characters (none included); everything else is
// literal, compared without regard to ASCII case.
bool matches_scheme(std::string_view pattern, std::string_view url);
// The first provider one of whose schemes matches, or null.
const OembedProvider* find_provider(const std::vector<OembedProvider>& providers, std::string_view url);
// endpoint?url=…&format=json&maxwidth=1024[&access_token=…], the URL percent-encoded.
std::string oembed_request(const OembedProvider& provider, std::string_view url);

// The card's text fields from an oEmbed answer (a JSON object): provider,
// author, author_url, title, text, date, and the thumbnail_url to re-host
// (absent when none). Throws std::runtime_error when it is not an answer.
struct CardDraft {
    nlohmann::json card = nlohmann::json::object();
    std::string thumbnail_url;
};
CardDraft card_from_oembed(const nlohmann::json& answer, const OembedProvider& provider);

// The text of an HTML fragment: tags dropped (script and style with their
// content), entities decoded, <br> and block ends as newlines, runs of
// spaces collapsed, controls removed. Used on the oEmbed answer's `html`.
std::string html_to_text(std::string_view html);

// Of the answer's `html`: the post's text (the first <p> of its
// <blockquote>, else the blockquote's text) and its date (the text of the
// blockquote's last link, which is where X, Bluesky and Instagram put it).
struct PostText {
    std::string text;
    std::string date;
};
PostText post_text_from_html(std::string_view html);

}  // namespace liveblog::embed
