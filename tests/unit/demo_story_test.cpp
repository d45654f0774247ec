#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/demo_story.hpp"
#include "core/validation.hpp"

using namespace liveblog;
using nlohmann::json;

TEST_CASE("demo story: a create_story - then valid entries", "[demo]") {
    const auto commands = demo_story_commands();
    REQUIRE(commands.size() >= 11);

    const auto* create = std::get_if<CreateStory>(&commands.front());
    REQUIRE(create);
    CHECK(create->id == "demo-en-direct");
    CHECK(is_valid_slug(create->id));
    CHECK(is_valid_lang(create->lang));
    CHECK(create->lang == "fr");
    const ContentLimits limits;
    CHECK_NOTHROW(check_short_text("title", create->title, limits.max_short_bytes));
    CHECK_NOTHROW(check_short_text("summary", create->summary, limits.max_summary_bytes));

    std::set<std::string> block_types, idempotency_keys;
    int pinned = 0, key_events = 0, entries = 0;
    bool bold = false, italic = false, link = false, pinned_has_list = false;

    for (std::size_t i = 1; i < commands.size(); ++i) {
        INFO("command " << i);
        const auto* post = std::get_if<PostEntry>(&commands[i]);
        REQUIRE(post);
        ++entries;
        CHECK(post->story == create->id);
        CHECK_NOTHROW(check_short_text("author", post->author, limits.max_short_bytes));
        if (post->title) CHECK_NOTHROW(check_short_text("title", *post->title, limits.max_short_bytes));
        CHECK(idempotency_keys.insert(post->idempotency_key).second);

        json normalised;
        REQUIRE_NOTHROW(normalised = validate_blocks(post->blocks));
        // Nothing outside the contract: normalising changes nothing.
        CHECK(normalised == post->blocks);
        // Everything can be sent on the wire (dump throws on invalid UTF-8).
        CHECK_NOTHROW(post->blocks.dump());

        for (const auto& block : post->blocks) {
            const auto type = block.at("type").get<std::string>();
            block_types.insert(type);
            if (block.contains("text")) {
                const auto& text = block["text"].get_ref<const std::string&>();
                bold = bold || text.find("**") != std::string::npos;
                italic = italic || text.find(" _") != std::string::npos;
                link = link || text.find("](https://") != std::string::npos;
            }
            if (post->pinned && type == "list") pinned_has_list = true;
        }
        pinned += post->pinned ? 1 : 0;
        key_events += post->key_event ? 1 : 0;
    }

    CHECK(entries >= 10);
    CHECK(pinned == 1);
    CHECK(pinned_has_list);
    CHECK(key_events >= 1);
    CHECK(bold);
    CHECK(italic);
    CHECK(link);
    CHECK(block_types == std::set<std::string>{"text", "heading", "quote", "image", "embed", "list"});
}

TEST_CASE("demo story: image blocks carry caption and credit", "[demo]") {
    bool found = false;
    for (const auto& command : demo_story_commands()) {
        const auto* post = std::get_if<PostEntry>(&command);
        if (!post) continue;
        for (const auto& block : post->blocks) {
            if (block.at("type") != "image") continue;
            found = true;
            CHECK(block.contains("caption"));
            CHECK(block.contains("credit"));
            CHECK(block.at("src").get<std::string>().rfind("https://", 0) == 0);
        }
    }
    CHECK(found);
}
