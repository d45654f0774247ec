#include <catch2/catch.hpp>

#include <cctype>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "http/html.hpp"
#include "http/page_renderer.hpp"

using namespace liveblog;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

std::size_t count(std::string_view hay, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + needle.size())) ++n;
    return n;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

Millis at(const char* iso) { return *parse_iso8601(iso); }

json text(std::string s) { return {{"type", "text"}, {"text", std::move(s)}}; }
json heading(std::string s) { return {{"type", "heading"}, {"text", std::move(s)}}; }
json quote(std::string s, std::string cite) {
    return {{"type", "quote"}, {"text", std::move(s)}, {"cite", std::move(cite)}};
}
json image(std::string src, std::string alt, std::string caption, std::string credit) {
    return {{"type", "image"}, {"src", std::move(src)}, {"alt", std::move(alt)},
            {"caption", std::move(caption)}, {"credit", std::move(credit)}};
}
json embed(std::string url) { return {{"type", "embed"}, {"url", std::move(url)}}; }
json list(std::vector<std::string> items) { return {{"type", "list"}, {"items", items}}; }

Entry entry(std::string id, Seq created_seq, json blocks) {
    Entry e;
    e.id = std::move(id);
    e.story = "crue";
    e.created_seq = created_seq;
    e.modified_seq = created_seq;
    e.published_at = at("2026-11-25T11:35:12.345Z") + static_cast<Millis>(created_seq) * 60'000;
    e.updated_at = e.published_at;
    e.author = "Camille Roussel";
    e.blocks = std::move(blocks);
    return e;
}

Story story(std::string lang = "fr", StoryStatus status = StoryStatus::live) {
    Story s;
    s.id = "crue";
    s.title = "Tempête Ysolde : la Vérenne en crue";
    s.summary = "Évacuations, routes coupées : suivez la situation heure par heure.";
    s.lang = std::move(lang);
    s.status = status;
    s.created_at = at("2026-11-25T06:00:00.000Z");
    s.updated_at = at("2026-11-25T18:30:00.000Z");
    s.seq = 42;
    s.epoch = "9f86d081";
    return s;
}

StorySnapshot snapshot(std::vector<Entry> entries, std::vector<Entry> pinned = {}, bool has_more = false,
                       Story s = story()) {
    StorySnapshot snap;
    snap.story = std::move(s);
    snap.page.entries = std::move(entries);
    snap.page.has_more = has_more;
    snap.pinned = std::move(pinned);
    return snap;
}

const std::string json_ld_open = "<script type=\"application/ld+json\">";

json json_ld_of(const std::string& page) {
    const auto start = page.find(json_ld_open);
    REQUIRE(start != std::string::npos);
    const auto body = start + json_ld_open.size();
    const auto end = page.find("</script>", body);
    REQUIRE(end != std::string::npos);
    return json::parse(page.substr(body, end - body));
}

// Every tag render_inline may produce; anything else starting with "<" is a
// hole. The href value must be one attribute: no quote, no "<", and followed
// by the fixed rel.
void check_only_known_markup(const std::string& html) {
    static const std::vector<std::string> tags = {"<strong>", "</strong>", "<em>", "</em>", "<br>", "</a>"};
    const std::string href_open = "<a href=\"";
    const std::string href_close = "\" rel=\"nofollow noopener noreferrer\">";
    for (std::size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
        bool known = false;
        for (const auto& t : tags) known = known || html.compare(i, t.size(), t) == 0;
        if (!known && html.compare(i, href_open.size(), href_open) == 0) {
            const auto value_end = html.find('"', i + href_open.size());
            REQUIRE(value_end != std::string::npos);
            CHECK(html.compare(value_end, href_close.size(), href_close) == 0);
            const auto value = html.substr(i + href_open.size(), value_end - i - href_open.size());
            CHECK(value.find('<') == std::string::npos);
            std::string scheme = value.substr(0, 8);
            for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            CHECK((scheme.rfind("http://", 0) == 0 || scheme == "https://"));
            known = true;
            i = value_end;
        }
        INFO(html);
        CHECK(known);
    }
    CHECK(count(html, "<strong>") == count(html, "</strong>"));
    CHECK(count(html, "<em>") == count(html, "</em>"));
    CHECK(count(html, "<a ") == count(html, "</a>"));
}

}  // namespace

// ---------------------------------------------------------------------------
// html_escape / render_inline
// ---------------------------------------------------------------------------

TEST_CASE("html_escape escapes the five characters", "[html]") {
    CHECK(html_escape("a & b < c > d \" e ' f") == "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    CHECK(html_escape("« Déjà vu » 🌊") == "« Déjà vu » 🌊");
    CHECK(html_escape("") == "");
}

TEST_CASE("render_inline: marks and hostile input", "[html]") {
    const std::string a_open = "<a href=\"";
    const std::string a_rel = "\" rel=\"nofollow noopener noreferrer\">";
    struct Row {
        const char* why;
        std::string in;
        std::string out;
    };
    const Row rows[] = {
        {"plain", "Premiers résultats", "Premiers résultats"},
        {"script tag", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"attribute breakout", "\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"},
        {"quotes and ampersand", "l'eau & \"nous\"", "l&#39;eau &amp; &quot;nous&quot;"},
        {"bold", "à **20 h**", "à <strong>20 h</strong>"},
        {"italic", "_vraiment_", "<em>vraiment</em>"},
        {"link", "[bulletin](https://vigilance.example/b?x=1&y=2)",
         a_open + "https://vigilance.example/b?x=1&amp;y=2" + a_rel + "bulletin</a>"},
        {"http link", "[a](http://a.example)", a_open + "http://a.example" + a_rel + "a</a>"},
        {"scheme in capitals", "[a](HTTPS://A.EXAMPLE/x)", a_open + "HTTPS://A.EXAMPLE/x" + a_rel + "a</a>"},
        {"javascript: target", "[x](javascript:alert(1))", "[x](javascript:alert(1))"},
        {"data: target", "[x](data:text/html,<b>)", "[x](data:text/html,&lt;b&gt;)"},
        {"quote in target", "[x](https://a.example/\"onmouseover=\")", "[x](https://a.example/&quot;onmouseover=&quot;)"},
        {"angle bracket in target", "[x](https://a.example/<script>)", "[x](https://a.example/&lt;script&gt;)"},
        {"userinfo in target", "[x](https://trusted.example@evil.example)", "[x](https://trusted.example@evil.example)"},
        {"space in target", "[x](https://a.example/a b)", "[x](https://a.example/a b)"},
        {"unterminated target", "[x](https://a.example/(a)", "[x](https://a.example/(a)"},
        {"empty label", "[](https://a.example)", "[](https://a.example)"},
        {"parentheses stay in the target", "[Foo](https://en.wikipedia.org/wiki/Foo_(bar))",
         a_open + "https://en.wikipedia.org/wiki/Foo_(bar)" + a_rel + "Foo</a>"},
        {"link then literal", "[a](https://a.example) [b](javascript:b)",
         a_open + "https://a.example" + a_rel + "a</a> [b](javascript:b)"},
        {"the innermost bracket owns the label", "[a [b](https://b.example)",
         "[a " + a_open + "https://b.example" + a_rel + "b</a>"},
        {"unbalanced bold", "unbalanced **bold", "unbalanced **bold"},
        {"bold after a space does not open", "** not bold**", "** not bold**"},
        {"lone stars", "2*3*4 = 24, a**b", "2*3*4 = 24, a**b"},
        {"a run of stars is no bold", "****", "****"},
        {"three stars open at the last pair", "***a**", "*<strong>a</strong>"},
        {"three stars close at the first pair", "**a***", "<strong>a</strong>*"},
        {"two bolds", "**a** et **b**", "<strong>a</strong> et <strong>b</strong>"},
        {"snake_case stays text", "snake_case_name", "snake_case_name"},
        {"underscores inside a word", "file_name_v2.txt", "file_name_v2.txt"},
        {"dunder stays text", "__init__", "__init__"},
        {"italic around a snake_case word", "_snake_case_", "<em>snake_case</em>"},
        {"italic inside guillemets", "« _vraiment_ »", "« <em>vraiment</em> »"},
        {"italic after an apostrophe", "l’_Ysolde_", "l’<em>Ysolde</em>"},
        {"unbalanced italic", "_a b", "_a b"},
        {"newlines", "ligne 1\nligne 2\r\nligne 3", "ligne 1<br>ligne 2<br>ligne 3"},
        {"bold around a link", "**[a](https://a.example)**",
         "<strong>" + a_open + "https://a.example" + a_rel + "a</a></strong>"},
        {"marks inside a label", "[**gras** et _it_](https://a.example)",
         a_open + "https://a.example" + a_rel + "<strong>gras</strong> et <em>it</em></a>"},
        {"italic holding bold", "_a **b** c_", "<em>a <strong>b</strong> c</em>"},
        {"an underscore in a URL closes nothing", "_voir [Foo](https://en.wikipedia.org/wiki/Foo_(bar))_",
         "<em>voir " + a_open + "https://en.wikipedia.org/wiki/Foo_(bar)" + a_rel + "Foo</a></em>"},
        {"stars in a URL close nothing", "**voir [x](https://a.example/**y)**",
         "<strong>voir " + a_open + "https://a.example/**y" + a_rel + "x</a></strong>"},
        {"bold crossing a link stays text", "**a [b** c](https://a.example)",
         "**a " + a_open + "https://a.example" + a_rel + "b** c</a>"},
        {"marks never reach attributes", "[x](https://a.example/_a_)",
         a_open + "https://a.example/_a_" + a_rel + "x</a>"},
        {"tag inside bold", "**<b>x</b>**", "<strong>&lt;b&gt;x&lt;/b&gt;</strong>"},
        {"emoji and guillemets", "« Alerte » 🌊 **crue**", "« Alerte » 🌊 <strong>crue</strong>"},
    };
    for (const auto& row : rows) {
        INFO(row.why << ": " << row.in);
        const auto html = render_inline(row.in);
        CHECK(html == row.out);
        check_only_known_markup(html);
    }
}

TEST_CASE("strip_inline_marks keeps what a reader sees", "[html]") {
    CHECK(strip_inline_marks("à **20 h**, _vraiment_ : [le bulletin](https://a.example/x_(y))") ==
          "à 20 h, vraiment : le bulletin");
    CHECK(strip_inline_marks("[x](javascript:alert(1)) snake_case **") == "[x](javascript:alert(1)) snake_case **");
    CHECK(strip_inline_marks("<script>") == "<script>");  // plain text: escaping is the caller's
}

TEST_CASE("render_inline is safe on random hostile input", "[html]") {
    const std::vector<std::string> pieces = {
        "*", "**", "_", "[", "]", "(", ")", "](", "<", ">", "\"", "'", "&", " ", "\n", "a", "é", "«", "🌊",
        "https://a.example", "javascript:", "<script>", "</script>", "onerror=", "\xE2", "\xC3", "\x80",
    };
    std::mt19937 rng(20261125);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), length(0, 40);
    for (int round = 0; round < 3000; ++round) {
        std::string in;
        for (auto n = length(rng); n > 0; --n) in += pieces[pick(rng)];
        const auto html = render_inline(in);
        INFO(in);
        check_only_known_markup(html);
        CHECK(html.find("<script") == std::string::npos);
        CHECK_NOTHROW(strip_inline_marks(in));
    }
}

TEST_CASE("render_inline stays fast on pathological input", "[html]") {
    // Each of these is quadratic for a naive closer search; 20,000 bytes is
    // the stored text limit. The test passes in milliseconds when linear.
    const std::string stars(20000, '*');
    CHECK(render_inline(stars) == stars);
    std::string opens;
    for (int i = 0; i < 5000; ++i) opens += "**a ";
    CHECK(render_inline(opens) == opens);
    std::string brackets;
    for (int i = 0; i < 4000; ++i) brackets += "[a](";
    CHECK(render_inline(brackets) == brackets);
    std::string italics;
    for (int i = 0; i < 6000; ++i) italics += " _a";
    CHECK(render_inline(italics) == italics);
}

TEST_CASE("escape_json_for_script keeps the JSON value and hides markup", "[html]") {
    const json value = {{"t", "</script><!-- & \xE2\x80\xA8 \xE2\x80\xA9 « 🌊 »"}};
    const auto safe = escape_json_for_script(value.dump());
    CHECK(safe.find('<') == std::string::npos);
    CHECK(safe.find('>') == std::string::npos);
    CHECK(safe.find('&') == std::string::npos);
    CHECK(safe.find("\xE2\x80\xA8") == std::string::npos);
    CHECK(safe.find("\xE2\x80\xA9") == std::string::npos);
    CHECK(json::parse(safe) == value);
}

// ---------------------------------------------------------------------------
// Story page
// ---------------------------------------------------------------------------

TEST_CASE("story page: every block type", "[page]") {
    auto e = entry("01jd6w3m2p8k4x7q", 7,
                   json::array({text("Premiers résultats à **20 h**."), heading("Nuit blanche"),
                                quote("Nous n’avions jamais vu ça.", "Le maire"),
                                image("https://img.example/crue.jpg", "La place inondée", "La place, _ce matin_",
                                      "Photo X. Martin"),
                                embed("https://www.Video.example/watch?v=1&t=2"), list({"Route D12", "**Pont** fermé"})}));
    e.title = "Le point à 12 h";
    const auto page = render_story_page(snapshot({e}), 0);

    CHECK(contains(page, "<article class=\"entry\" id=\"entry-01jd6w3m2p8k4x7q\" "
                         "data-entry-id=\"01jd6w3m2p8k4x7q\" data-version=\"1\">"));
    CHECK(contains(page, "<h2 class=\"entry-title\">Le point à 12 h</h2>"));
    CHECK(contains(page, "<p>Premiers résultats à <strong>20 h</strong>.</p>"));
    CHECK(contains(page, "<h3>Nuit blanche</h3>"));
    CHECK(contains(page, "<blockquote><p>Nous n’avions jamais vu ça.</p><footer>— <cite>Le maire</cite></footer>"
                         "</blockquote>"));
    CHECK(contains(page, "<figure><img src=\"https://img.example/crue.jpg\" alt=\"La place inondée\" "
                         "loading=\"lazy\" decoding=\"async\"><figcaption>La place, <em>ce matin</em> "
                         "<span class=\"credit\">Photo X. Martin</span></figcaption></figure>"));
    CHECK(contains(page, "<a class=\"embed\" href=\"https://www.Video.example/watch?v=1&amp;t=2\" "
                         "rel=\"nofollow noopener noreferrer\"><span class=\"embed-host\">video.example</span> "
                         "<span class=\"embed-url\">https://www.Video.example/watch?v=1&amp;t=2</span></a>"));
    CHECK(contains(page, "<ul><li>Route D12</li><li><strong>Pont</strong> fermé</li></ul>"));
    CHECK_FALSE(contains(page, "<iframe"));

    // Time in UTC, with the date; published 7 minutes after 11:35:12.
    CHECK(contains(page, "<time datetime=\"2026-11-25T11:42:12.345Z\" title=\"25 novembre 2026 à 11:42 UTC\">"
                         "11:42</time> <span class=\"date\">25 novembre 2026</span> "
                         "<span class=\"author\">Camille Roussel</span>"));
    CHECK_FALSE(contains(page, "mis à jour"));
}

TEST_CASE("story page: a block with a non-http URL renders no link or image", "[page]") {
    // Validation refuses these; the renderer must not rely on it.
    const auto e = entry("e1", 1,
                         json::array({image("javascript:alert(1)", "alt", "", ""), embed("javascript:alert(2)"),
                                      embed("data:text/html,x"), json{{"type", "text"}}, json{{"type", "video"}},
                                      json{{"type", "list"}, {"items", "not an array"}}, json("not an object")}));
    const auto page = render_story_page(snapshot({e}), 0);
    CHECK_FALSE(contains(page, "<img"));
    CHECK_FALSE(contains(page, "<a class=\"embed\""));
    CHECK_FALSE(contains(page, "href=\"javascript"));
    CHECK(contains(page, "<p class=\"embed\">javascript:alert(2)</p>"));
    CHECK(count(page, "<script") == 2);
}

TEST_CASE("story page: hostile content renders as text", "[page]") {
    const std::string xss = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'";
    auto e = entry("e1", 3,
                   json::array({text(xss), heading(xss), quote(xss, xss),
                                image("https://img.example/a.jpg", xss, xss, xss), list({xss}),
                                text("[x](javascript:alert(1)) [y](https://a.example/\"onmouseover=\")")}));
    e.title = xss;
    e.author = xss;
    e.key_event = true;
    Story s = story();
    s.title = xss;
    s.summary = xss;
    s.epoch = "\"><script>";
    const auto page = render_story_page(snapshot({e}, {}, false, s), 0);

    CHECK(count(page, "<script") == 2);
    CHECK(count(page, "</script>") == 2);
    CHECK(contains(page, json_ld_open));
    CHECK(contains(page, "<script type=\"module\" src=\"/static/js/reader-page.js\" data-stylesheet=\"/static/css/reader.css\"></script>"));
    CHECK(count(page, "<img") == 1);  // the one real image
    CHECK_FALSE(contains(page, "onerror=alert(1)>"));
    CHECK_FALSE(contains(page, "href=\"javascript"));
    CHECK_FALSE(contains(page, "onmouseover=\""));
    CHECK(contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;"));
    CHECK(contains(page, "data-epoch=\"&quot;&gt;&lt;script&gt;\""));
    // Still valid JSON-LD carrying the raw text.
    const auto ld = json_ld_of(page);
    CHECK(ld["headline"] == xss);
    CHECK(ld["liveBlogUpdate"][0]["author"]["name"] == xss);
}

TEST_CASE("story page: </script> in an entry cannot leave the JSON-LD", "[page]") {
    const std::string body = "Fin</script><script>alert(1)</script><!-- « 🌊 » \xE2\x80\xA8";
    const auto page = render_story_page(snapshot({entry("e1", 1, json::array({text(body)}))}), 0);
    CHECK(count(page, "</script>") == 2);
    CHECK(count(page, "<script") == 2);
    CHECK_FALSE(contains(page, "<!-- «"));
    const auto ld = json_ld_of(page);
    CHECK(ld["liveBlogUpdate"][0]["articleBody"] == body);
}

TEST_CASE("story page: JSON-LD LiveBlogPosting", "[page]") {
    auto first = entry("e1", 1, json::array({text("Un **premier** point, voir [ici](https://a.example).")}));
    auto second = entry("e2", 2, json::array({image("https://img.example/b.jpg", "alt", "", ""),
                                              text("Deuxième"), quote("Citation", "Quelqu’un")}));
    second.title = "Titre";
    second.version = 3;
    second.updated_at = second.published_at + 90'000;
    auto pinned_old = entry("p0", 0, json::array({text("Consignes de sécurité")}));
    pinned_old.pinned = true;

    SECTION("live story: no coverageEndTime; pinned-only entries count as rendered") {
        const auto page = render_story_page(snapshot({second, first}, {pinned_old}, false), 0);
        const auto ld = json_ld_of(page);
        CHECK(ld["@context"] == "https://schema.org");
        CHECK(ld["@type"] == "LiveBlogPosting");
        CHECK(ld["headline"] == "Tempête Ysolde : la Vérenne en crue");
        CHECK(ld["description"] == "Évacuations, routes coupées : suivez la situation heure par heure.");
        CHECK(ld["url"] == "/stories/crue");
        CHECK(ld["inLanguage"] == "fr");
        CHECK(ld["datePublished"] == "2026-11-25T06:00:00.000Z");
        CHECK(ld["dateModified"] == "2026-11-25T18:30:00.000Z");
        CHECK(ld["coverageStartTime"] == "2026-11-25T06:00:00.000Z");
        CHECK_FALSE(ld.contains("coverageEndTime"));

        const auto& updates = ld["liveBlogUpdate"];
        REQUIRE(updates.is_array());
        CHECK(updates.size() == count(page, "<article"));  // e2, e1 and the pinned one
        REQUIRE(updates.size() == 3);
        CHECK(updates[0]["@type"] == "BlogPosting");
        CHECK(updates[0]["headline"] == "Titre");
        CHECK(updates[0]["datePublished"] == format_iso8601(second.published_at));
        CHECK(updates[0]["dateModified"] == format_iso8601(second.updated_at));
        CHECK(updates[0]["articleBody"] == "Deuxième\n\nCitation\n— Quelqu’un");
        CHECK(updates[0]["image"] == "https://img.example/b.jpg");
        CHECK(updates[0]["author"] == json{{"@type", "Person"}, {"name", "Camille Roussel"}});
        CHECK(updates[1]["headline"] == "Un premier point, voir ici.");
        CHECK(updates[1]["articleBody"] == "Un premier point, voir ici.");
        CHECK_FALSE(updates[1].contains("image"));
        CHECK(updates[2]["headline"] == "Consignes de sécurité");
    }
    SECTION("pinned entries that are also in the stream are counted once") {
        auto pinned = first;
        pinned.pinned = true;
        first.pinned = true;
        const auto page = render_story_page(snapshot({second, first}, {pinned}), 0);
        CHECK(json_ld_of(page)["liveBlogUpdate"].size() == 2);
        CHECK(count(page, "id=\"entry-e1\"") == 1);
        CHECK(count(page, "id=\"pinned-e1\"") == 1);
    }
    SECTION("ended story: coverageEndTime") {
        const auto page =
            render_story_page(snapshot({first}, {}, false, story("fr", StoryStatus::ended)), 0);
        const auto ld = json_ld_of(page);
        CHECK(ld["coverageEndTime"] == "2026-11-25T18:30:00.000Z");
        CHECK(ld["liveBlogUpdate"].size() == 1);
    }
    SECTION("paused story: no coverageEndTime") {
        const auto page =
            render_story_page(snapshot({first}, {}, false, story("fr", StoryStatus::paused)), 0);
        CHECK_FALSE(json_ld_of(page).contains("coverageEndTime"));
    }
    SECTION("no entries") {
        const auto ld = json_ld_of(render_story_page(snapshot({}), 0));
        CHECK(ld["liveBlogUpdate"] == json::array());
    }
}

TEST_CASE("story page: headline from a long text is cut at 110 characters", "[page]") {
    std::string long_text;
    for (int i = 0; i < 30; ++i) long_text += "🌊 **é**\n";  // 4 code points each once marks are gone
    const auto page = render_story_page(snapshot({entry("e1", 1, json::array({heading("Titre de bloc"),
                                                                              text(long_text)}))}),
                                        0);
    const std::string headline = json_ld_of(page)["liveBlogUpdate"][0]["headline"];
    CHECK(headline.find('\n') == std::string::npos);
    CHECK(headline.find('*') == std::string::npos);
    CHECK(headline.rfind("🌊 é 🌊 é", 0) == 0);
    CHECK(headline.size() >= 3);
    CHECK(headline.substr(headline.size() - 3) == "…");
    std::size_t code_points = 0;
    for (unsigned char c : headline) code_points += (c & 0xC0) != 0x80;
    CHECK(code_points <= 110);
}

TEST_CASE("story page: document shell and resume point", "[page]") {
    const auto page = render_story_page(snapshot({entry("e1", 1, json::array({text("x")}))}), 0);
    CHECK(page.rfind("<!DOCTYPE html>\n<html lang=\"fr\">", 0) == 0);
    CHECK(contains(page, "<meta charset=\"utf-8\">"));
    CHECK(contains(page, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    CHECK(contains(page, "<title>Tempête Ysolde : la Vérenne en crue</title>"));
    CHECK(contains(page, "<meta name=\"description\" content=\"Évacuations, routes coupées : suivez la situation "
                         "heure par heure.\">"));
    CHECK(contains(page, "<style>"));
    CHECK(contains(page, "<body data-story=\"crue\" data-seq=\"42\" data-epoch=\"9f86d081\" data-status=\"live\">"));
    CHECK(contains(page, "<h1>Tempête Ysolde : la Vérenne en crue</h1>"));
    // The reader script comes last, after all content.
    const auto script = page.find("<script type=\"module\" src=\"/static/js/reader-page.js\" data-stylesheet=\"/static/css/reader.css\"></script>");
    REQUIRE(script != std::string::npos);
    CHECK(script > page.rfind("</article>"));
    CHECK(page.substr(page.size() - 16) == "</body>\n</html>\n");
}

TEST_CASE("story page: versioned assets and their import map", "[page]") {
    PageAssets assets{"/static/js/reader-page.js?v=abc", "/static/css/reader.css?v=def",
                      "{\"imports\":{\"/static/js/x.js\":\"/static/js/x.js?v=1\"}}"};
    const auto page = render_story_page(snapshot({entry("e1", 1, json::array({text("x")}))}), 0, "", assets);
    const auto map = page.find("<script type=\"importmap\">{\"imports\":{\"/static/js/x.js\":\"/static/js/x.js?v=1\"}}</script>");
    const auto module = page.find("<script type=\"module\" src=\"/static/js/reader-page.js?v=abc\" "
                                  "data-stylesheet=\"/static/css/reader.css?v=def\"></script>");
    REQUIRE(map != std::string::npos);
    REQUIRE(module != std::string::npos);
    CHECK(map < module);
}

TEST_CASE("story page: older entries link iff has_more", "[page]") {
    const std::vector<Entry> entries = {entry("e9", 9, json::array({text("neuf")})),
                                        entry("e8", 8, json::array({text("huit")})),
                                        entry("e5", 5, json::array({text("cinq")}))};
    SECTION("has_more: links to before = created_seq of the oldest rendered entry") {
        const auto page = render_story_page(snapshot(entries, {}, true), 0);
        CHECK(contains(page, "<a href=\"/stories/crue?before=5\" rel=\"next\">Entrées précédentes →</a>"));
        CHECK(count(page, "?before=") == 1);
    }
    SECTION("no more: no link") {
        const auto page = render_story_page(snapshot(entries, {}, false), 0);
        CHECK_FALSE(contains(page, "?before="));
        CHECK_FALSE(contains(page, "Entrées précédentes"));
    }
    SECTION("entries newest first, as given") {
        const auto page = render_story_page(snapshot(entries), 0);
        const auto p9 = page.find("id=\"entry-e9\""), p8 = page.find("id=\"entry-e8\""),
                   p5 = page.find("id=\"entry-e5\"");
        CHECK(p9 < p8);
        CHECK(p8 < p5);
        CHECK(p5 != std::string::npos);
    }
}

TEST_CASE("story page: an older-entries page", "[page]") {
    auto pinned = entry("p1", 20, json::array({text("épinglée")}));
    pinned.pinned = true;
    const std::vector<Entry> older = {entry("e4", 4, json::array({text("quatre")})),
                                      entry("e3", 3, json::array({text("trois")}))};
    const auto page = render_story_page(snapshot(older, {pinned}, true), 5);
    CHECK_FALSE(contains(page, "<section class=\"pinned-entries\""));
    CHECK_FALSE(contains(page, "épinglée"));
    CHECK_FALSE(contains(page, "Épinglé"));
    CHECK(contains(page, "<p class=\"back\"><a href=\"/stories/crue\">← Retour au direct</a></p>"));
    CHECK(contains(page, "data-before=\"5\""));
    CHECK(contains(page, "<title>Tempête Ysolde : la Vérenne en crue — Entrées précédentes</title>"));
    CHECK(contains(page, "href=\"/stories/crue?before=3\""));
    CHECK(json_ld_of(page)["liveBlogUpdate"].size() == 2);
}

TEST_CASE("story page: pinned block, key events and updates", "[page]") {
    auto pinned = entry("p1", 2, json::array({text("Numéro d’urgence : 112")}));
    pinned.pinned = true;
    pinned.title = "À retenir";
    auto key = entry("k1", 6, json::array({text("La **digue** a cédé à Montfleury.")}));
    key.key_event = true;
    auto key_titled = entry("k2", 8, json::array({text("x")}));
    key_titled.key_event = true;
    key_titled.title = "Évacuation <totale>";
    auto edited = entry("u1", 7, json::array({text("corrigé")}));
    edited.version = 2;
    edited.updated_at = edited.published_at + 5 * 60'000;
    auto repinned_same_time = entry("u2", 5, json::array({text("même heure")}));
    repinned_same_time.version = 2;

    const auto page = render_story_page(snapshot({key_titled, edited, key, repinned_same_time, pinned}, {pinned}), 0);

    const auto pinned_block = page.find("<section class=\"pinned-entries\" aria-label=\"Épinglé\">");
    const auto stream = page.find("<section class=\"entries\"");
    const auto key_nav = page.find("<nav class=\"key-events\"");
    REQUIRE(pinned_block != std::string::npos);
    REQUIRE(key_nav != std::string::npos);
    CHECK(pinned_block < key_nav);
    CHECK(key_nav < stream);
    CHECK(contains(page, "<span class=\"pin-label\">Épinglé</span>"));
    CHECK(contains(page, "id=\"pinned-p1\" data-entry-id=\"p1\""));
    CHECK(contains(page, "class=\"entry is-pinned\" id=\"entry-p1\""));

    CHECK(contains(page, "<h2 id=\"key-events-title\">Moments clés</h2>"));
    CHECK(contains(page, "<li><a href=\"#entry-k2\"><time datetime=\"2026-11-25T11:43:12.345Z\">11:43</time> "
                         "Évacuation &lt;totale&gt;</a></li>"));
    CHECK(contains(page, "<li><a href=\"#entry-k1\"><time datetime=\"2026-11-25T11:41:12.345Z\">11:41</time> "
                         "La digue a cédé à Montfleury.</a></li>"));
    CHECK(page.find("#entry-k2") < page.find("#entry-k1"));
    CHECK(count(page, "<li><a href=\"#") == 2);
    CHECK(contains(page, "class=\"entry key-event\" id=\"entry-k1\""));

    CHECK(contains(page, "data-version=\"2\""));
    CHECK(contains(page, "<span class=\"updated\">mis à jour <time datetime=\"2026-11-25T11:47:12.345Z\""));
    CHECK(count(page, "mis à jour") == 1);  // u2 changed version but not its time

    SECTION("no key events: no list") {
        const auto plain = render_story_page(snapshot({edited}), 0);
        CHECK_FALSE(contains(plain, "key-events-title"));
    }
}

TEST_CASE("story page: labels follow the story's language", "[page]") {
    const auto e = entry("e1", 1, json::array({text("x")}));
    auto updated = entry("e2", 2, json::array({text("y")}));
    updated.version = 2;
    updated.updated_at += 60'000;
    updated.key_event = true;
    auto pinned = entry("p1", 0, json::array({text("p")}));
    pinned.pinned = true;

    struct Row {
        std::string lang;
        StoryStatus status;
        const char* badge;
        const char* pinned_label;
        const char* key_events;
        const char* updated_label;
        const char* older;
        const char* date;
    };
    const Row rows[] = {
        {"fr", StoryStatus::live, "En direct", "Épinglé", "Moments clés", "mis à jour", "Entrées précédentes",
         "25 novembre 2026"},
        {"fr-CA", StoryStatus::paused, "En pause", "Épinglé", "Moments clés", "mis à jour", "Entrées précédentes",
         "25 novembre 2026"},
        {"FR", StoryStatus::ended, "Terminé", "Épinglé", "Moments clés", "mis à jour", "Entrées précédentes",
         "25 novembre 2026"},
        {"en", StoryStatus::live, "Live", "Pinned", "Key events", "updated", "Older entries", "25 November 2026"},
        {"en-GB", StoryStatus::paused, "Paused", "Pinned", "Key events", "updated", "Older entries",
         "25 November 2026"},
        {"de", StoryStatus::ended, "Ended", "Pinned", "Key events", "updated", "Older entries", "25 November 2026"},
        {"fry", StoryStatus::live, "Live", "Pinned", "Key events", "updated", "Older entries", "25 November 2026"},
    };
    for (const auto& row : rows) {
        INFO(row.lang);
        const auto page = render_story_page(snapshot({updated, e}, {pinned}, true, story(row.lang, row.status)), 0);
        CHECK(contains(page, "<html lang=\"" + row.lang + "\">"));
        CHECK(contains(page, std::string("<span class=\"badge badge-") + to_string(row.status) + "\">" + row.badge +
                                 "</span>"));
        CHECK(contains(page, std::string("<span class=\"pin-label\">") + row.pinned_label + "</span>"));
        CHECK(contains(page, std::string(">") + row.key_events + "</h2>"));
        CHECK(contains(page, std::string("<span class=\"updated\">") + row.updated_label + " <time"));
        CHECK(contains(page, std::string("rel=\"next\">") + row.older));
        CHECK(contains(page, std::string("<span class=\"date\">") + row.date + "</span>"));
    }

    SECTION("the hint decides only when the story has no language") {
        const auto no_lang = story("");
        CHECK(contains(render_story_page(snapshot({e}, {}, false, no_lang), 0, "fr"), "En direct"));
        CHECK(contains(render_story_page(snapshot({e}, {}, false, no_lang), 0, "fr"), "<html lang=\"fr\">"));
        CHECK(contains(render_story_page(snapshot({e}, {}, false, no_lang), 0), "<html lang=\"en\">"));
        CHECK(contains(render_story_page(snapshot({e}, {}, false, story("en")), 0, "fr"), ">Live<"));
    }
    SECTION("first of the month in French") {
        auto first = entry("e1", 0, json::array({text("x")}));
        first.published_at = first.updated_at = at("2026-05-01T08:05:00.000Z");
        const auto page = render_story_page(snapshot({first}), 0);
        CHECK(contains(page, "<span class=\"date\">1er mai 2026</span>"));
        CHECK(contains(page, ">08:05</time>"));
    }
}

TEST_CASE("story page: French text and emoji round-trip", "[page]") {
    const std::string phrase = "« Nous restons mobilisés » a déclaré la préfète 🌊🚒 — l’œuvre d’une nuit";
    auto e = entry("e1", 1, json::array({text(phrase), quote(phrase, "Élisabeth Müller"),
                                          list({phrase})}));
    e.title = phrase;
    e.author = "Zoë Lefèvre";
    const auto page = render_story_page(snapshot({e}), 0);
    const auto body = page.substr(page.find("<body"));
    CHECK(count(body, phrase) == 4);  // title, text, quote, list item
    CHECK(contains(page, "<span class=\"author\">Zoë Lefèvre</span>"));
    const auto ld = json_ld_of(page);
    const auto& u = ld["liveBlogUpdate"][0];
    CHECK(u["headline"] == phrase);
    CHECK(u["author"]["name"] == "Zoë Lefèvre");
    CHECK(u["articleBody"] == phrase + "\n\n" + phrase + "\n— Élisabeth Müller\n\n" + phrase);
    CHECK(ld["headline"] == "Tempête Ysolde : la Vérenne en crue");
}

// ---------------------------------------------------------------------------
// Story list
// ---------------------------------------------------------------------------

TEST_CASE("story list", "[page]") {
    auto a = story("fr", StoryStatus::live);
    a.id = "crue";
    auto b = story("fr", StoryStatus::ended);
    b.id = "elections";
    b.title = "Soirée <électorale>";
    b.summary = "Résultats & réactions";

    SECTION("stories in the given order, with badge, summary and link") {
        const auto page = render_story_list({a, b});
        CHECK(page.rfind("<!DOCTYPE html>\n<html lang=\"fr\">", 0) == 0);
        CHECK(contains(page, "<title>Les directs</title>"));
        CHECK(contains(page, "<h2><a href=\"/stories/crue\">Tempête Ysolde : la Vérenne en crue</a></h2>"));
        CHECK(contains(page, "<h2><a href=\"/stories/elections\">Soirée &lt;électorale&gt;</a></h2>"));
        CHECK(contains(page, "<p class=\"summary\">Résultats &amp; réactions</p>"));
        CHECK(contains(page, "<span class=\"badge badge-live\">En direct</span>"));
        CHECK(contains(page, "<span class=\"badge badge-ended\">Terminé</span>"));
        CHECK(page.find("/stories/crue") < page.find("/stories/elections"));
        CHECK(count(page, "<script") == 0);
    }
    SECTION("mixed languages: English page, each item in its own language") {
        auto c = story("en", StoryStatus::paused);
        c.id = "storm";
        const auto page = render_story_list({a, c});
        CHECK(contains(page, "<html lang=\"en\">"));
        CHECK(contains(page, "<li lang=\"fr\">"));
        CHECK(contains(page, "<li lang=\"en\">"));
        CHECK(contains(page, "<span class=\"badge badge-paused\">Paused</span>"));
        CHECK(contains(page, "<span class=\"badge badge-live\">En direct</span>"));
    }
    SECTION("empty") {
        const auto page = render_story_list({});
        CHECK(contains(page, "No live coverage yet."));
        CHECK_FALSE(contains(page, "<ul"));
    }
}
