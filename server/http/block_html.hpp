#pragma once
// Content blocks as HTML, for the server-rendered page. render.js builds the
// same markup in the browser (tests/js/render.test.mjs compares the two byte
// for byte): change both together.
//
// Blocks were validated when stored, but rendering trusts nothing: every
// string is escaped (html.hpp), every URL re-checked as http(s), a missing
// or mistyped field reads as empty and never throws.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace liveblog {

// block[key] when it is a string; empty otherwise.
std::string_view json_string(const nlohmann::json& block, const char* key);

// "https://www.Example.org:8443/a?b" -> "example.org:8443" (is_http_url(url) holds).
std::string display_host(std::string_view url);

// One block (text, heading, quote, image, embed, list), with its newline.
// `media_base` ("https://live.example") makes uploaded images' URLs
// absolute, for HTML read elsewhere (feeds); empty: relative, as on our pages.
void render_block(std::string& out, const nlohmann::json& block, std::string_view media_base = {});

// The story's lead image (an image block without its type): the page's
// largest paint, so loaded with high priority, never lazily. Nothing when
// it is not an object.
void render_lead_image(std::string& out, const nlohmann::json& image);

// The <li> items of the related links (escaped, http(s) only).
void render_related_items(std::string& out, const nlohmann::json& related);

// An image's address for JSON-LD: an upload's largest JPEG, or its src; empty when none.
std::string image_address(const nlohmann::json& image);

}  // namespace liveblog
