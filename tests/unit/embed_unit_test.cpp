// The embed capture's pure parts: the SSRF address policy, oEmbed provider
// matching, the HTML of an answer as text, and the widths made for uploads.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "embed/address_policy.hpp"
#include "embed/oembed.hpp"
#include "media/image_ingest.hpp"

using namespace liveblog;
using namespace liveblog::embed;

namespace {

bool allowed(const std::string& text) {
    sockaddr_storage s{};
    if (text.find(':') != std::string::npos) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&s);
        a->sin6_family = AF_INET6;
        REQUIRE(inet_pton(AF_INET6, text.c_str(), &a->sin6_addr) == 1);
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&s);
        a->sin_family = AF_INET;
        REQUIRE(inet_pton(AF_INET, text.c_str(), &a->sin_addr) == 1);
    }
    return is_public_address(reinterpret_cast<sockaddr*>(&s));
}

}  // namespace

TEST_CASE("address policy: loopback, private, link-local, metadata and their IPv6 disguises are refused", "[embed]") {
    for (const char* a : {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                          "169.254.169.254", "100.64.0.1", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.1.1.1",
                          "240.0.0.1", "255.255.255.255", "192.0.0.8", "198.18.0.1", "192.0.2.1", "::", "::1",
                          "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                          "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:7f00:1::",
                          "2002:c0a8:101::1", "2001:db8::1"}) {
        INFO(a);
        CHECK_FALSE(allowed(a));
    }
    for (const char* a : {"1.1.1.1", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1", "193.0.0.1",
                          "2606:4700::1111", "2a00:1450:4007::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
        INFO(a);
        CHECK(allowed(a));
    }
}

TEST_CASE("oEmbed: schemes match with * and pick the first provider; the request carries the URL encoded", "[embed]") {
    CHECK(matches_scheme("https://x.com/*/status/*", "https://x.com/afp/status/1234"));
    CHECK(matches_scheme("https://x.com/*/status/*", "HTTPS://X.COM/afp/status/1234"));
    CHECK_FALSE(matches_scheme("https://x.com/*/status/*", "https://x.com/afp/likes"));
    CHECK_FALSE(matches_scheme("https://x.com/*/status/*", "https://x.com.evil.example/a/status/1"));
    CHECK(matches_scheme("https://www.youtube.com/watch*", "https://www.youtube.com/watch?v=abc"));
    CHECK(matches_scheme("*", ""));
    const auto providers = default_oembed_providers();
    const auto* bsky = find_provider(providers, "https://bsky.app/profile/afp.com/post/3k2a");
    REQUIRE(bsky);
    CHECK(bsky->name == "Bluesky");
    CHECK(find_provider(providers, "https://example.org/a") == nullptr);
    CHECK(oembed_request(*bsky, "https://bsky.app/profile/a b/post/1?x=1&y=2") ==
          "https://embed.bsky.app/oembed?url=https%3A%2F%2Fbsky.app%2Fprofile%2Fa%20b%2Fpost%2F1%3Fx%3D1%26y%3D2"
          "&format=json&maxwidth=1024");
    const auto* insta = find_provider(providers, "https://www.instagram.com/p/abc/");
    REQUIRE(insta);
    CHECK(insta->needs_token);
}

TEST_CASE("oEmbed html: text only, scripts dropped, entities decoded, date from the last link", "[embed]") {
    CHECK(html_to_text("<p>a &amp; b &lt;c&gt; &#233;t&#xE9; &nbsp;x</p>") == "a & b <c> été \u00a0x");
    CHECK(html_to_text("one<script>alert('<p>')</script> two<style>p{}</style>") == "one two");
    CHECK(html_to_text("line<br>next<br/>last") == "line\nnext\nlast");
    CHECK(html_to_text("bad &#0; &#xD800; &#99999999; &unknown; end") == "bad &#99999999; &unknown; end");
    CHECK(html_to_text("unterminated <a href=") == "unterminated");
    const auto post = post_text_from_html(
        "<blockquote class=\"twitter-tweet\"><p lang=\"fr\" dir=\"ltr\">La digue a cédé <a href=\"https://t.co/x\">"
        "pic.twitter.com/x</a></p>&mdash; AFP (@afpfr) <a href=\"https://twitter.com/afpfr/status/1\">7 décembre 2026</a>"
        "</blockquote>\n<script async src=\"https://platform.twitter.com/widgets.js\"></script>");
    CHECK(post.text == "La digue a cédé pic.twitter.com/x");
    CHECK(post.date == "7 décembre 2026");
    CHECK(post_text_from_html("<iframe src=\"https://www.youtube.com/embed/x\"></iframe>").text.empty());

    OembedProvider p{"Fallback", "https://e.example/oembed", {"*"}, "", false};
    auto draft = card_from_oembed({{"author_name", "A\nB"}, {"title", 7}, {"thumbnail_url", "https://e.example/t.jpg"}}, p);
    CHECK(draft.card == nlohmann::json({{"provider", "Fallback"}, {"author", "A B"}}));
    CHECK(draft.thumbnail_url == "https://e.example/t.jpg");
    CHECK_THROWS(card_from_oembed(nlohmann::json::array(), p));
}

TEST_CASE("uploads: the widths made for an image", "[media]") {
    using media::widths_for;
    CHECK(widths_for(4032) == std::vector<std::uint32_t>{320, 640, 1024, 1600});
    CHECK(widths_for(1600) == std::vector<std::uint32_t>{320, 640, 1024, 1600});
    CHECK(widths_for(1200) == std::vector<std::uint32_t>{320, 640, 1024, 1200});
    CHECK(widths_for(1024) == std::vector<std::uint32_t>{320, 640, 1024});
    CHECK(widths_for(300) == std::vector<std::uint32_t>{300});
    CHECK(widths_for(1) == std::vector<std::uint32_t>{1});
}
