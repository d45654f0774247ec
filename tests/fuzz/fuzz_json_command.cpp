// libFuzzer harness: one inbound WebSocket text as the reader and editor
// endpoints decode it (transport/reader_handler, transport/admin_handler):
// the bounded JSON parser (core/bounded_json), then the message parsers with
// content validation (protocol/messages, core/validation).
//
// What must hold:
//  - refusals are liveblog::Error only: any other exception escaping is a
//    bug (libFuzzer reports it as a crash);
//  - a value parse_bounded_json accepts keeps its limits: nesting depth at
//    most max_depth, at most max_elements values and keys, no string or key
//    longer than max_string_bytes (checked by an iterative walk, under the
//    server's limits and under tight ones); it is what nlohmann's own parser
//    reads from the same text, and every refusal has its reason;
//  - a parsed command is well formed: its story id is a slug, and the blocks
//    of post_entry / update_entry / the desk's commands are normalised, so
//    validating them again accepts them unchanged; they serialise without
//    throwing; a desk command names its draft and version as its action needs;
//  - publish_at: parse_iso8601 refuses or parses; what it parses round-trips.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/error_code.hpp"
#include "common/utf8.hpp"
#include "core/bounded_json.hpp"
#include "core/command.hpp"
#include "core/validation.hpp"
#include "fuzz_check.hpp"
#include "protocol/messages.hpp"

using nlohmann::json;

namespace {

void check_within_limits(const json& root, const liveblog::JsonLimits& limits) {
    std::size_t elements = 0;
    std::vector<std::pair<const json*, std::size_t>> stack{{&root, 0}};  // value, containers around it
    while (!stack.empty()) {
        const auto [value, outer] = stack.back();
        stack.pop_back();
        ++elements;
        if (value->is_string()) FUZZ_REQUIRE(value->get_ref<const std::string&>().size() <= limits.max_string_bytes);
        if (value->is_object()) {
            FUZZ_REQUIRE(outer + 1 <= limits.max_depth);
            for (auto it = value->begin(); it != value->end(); ++it) {
                ++elements;  // the key
                FUZZ_REQUIRE(it.key().size() <= limits.max_string_bytes);
                stack.emplace_back(&*it, outer + 1);
            }
        } else if (value->is_array()) {
            FUZZ_REQUIRE(outer + 1 <= limits.max_depth);
            for (const auto& element : *value) stack.emplace_back(&element, outer + 1);
        }
    }
    FUZZ_REQUIRE(elements <= limits.max_elements);
}

void check_bounded(std::string_view text, const liveblog::JsonLimits& limits) {
    liveblog::JsonRefusal refusal = liveblog::JsonRefusal::none;
    const json value = liveblog::parse_bounded_json(text, limits, refusal);
    FUZZ_REQUIRE(value.is_discarded() == (refusal != liveblog::JsonRefusal::none));
    FUZZ_REQUIRE(!liveblog::describe(refusal, limits).empty());
    const bool utf8 = liveblog::is_valid_utf8(text);
    switch (refusal) {
        case liveblog::JsonRefusal::none:
            FUZZ_REQUIRE(text.size() <= limits.max_bytes && utf8);
            check_within_limits(value, limits);
            // The bounds only cut documents short; what they let through is read as nlohmann reads it.
            FUZZ_REQUIRE(json::parse(text, nullptr, false) == value);
            break;
        case liveblog::JsonRefusal::too_large: FUZZ_REQUIRE(text.size() > limits.max_bytes); break;
        case liveblog::JsonRefusal::not_utf8: FUZZ_REQUIRE(text.size() <= limits.max_bytes && !utf8); break;
        case liveblog::JsonRefusal::syntax:
            FUZZ_REQUIRE(json::parse(text, nullptr, false).is_discarded());
            break;
        case liveblog::JsonRefusal::not_object: FUZZ_REQUIRE(false); break;  // parse_json_object's only
        default: FUZZ_REQUIRE(text.size() <= limits.max_bytes && utf8); break;
    }
}

void check_blocks(const json& blocks) {
    // Normalisation is idempotent: stored blocks validate again, unchanged.
    json again;
    try {
        again = liveblog::validate_blocks(blocks);
    } catch (const liveblog::Error&) {
        FUZZ_REQUIRE(false);
    }
    FUZZ_REQUIRE(again == blocks);
    (void)blocks.dump();  // as the codec will, for the event; throws on a non-UTF-8 string
}

void check_command(const liveblog::Command& command) {
    FUZZ_REQUIRE(liveblog::is_valid_slug(liveblog::command_story(command)));
    if (const auto* post = std::get_if<liveblog::PostEntry>(&command)) {
        check_blocks(post->blocks);
    } else if (const auto* update = std::get_if<liveblog::UpdateEntry>(&command)) {
        FUZZ_REQUIRE(update->expected_version != 0);
        if (update->blocks) check_blocks(*update->blocks);
    } else if (const auto* create = std::get_if<liveblog::CreateStory>(&command)) {
        FUZZ_REQUIRE(liveblog::is_valid_lang(create->lang));
    } else if (const auto* desk = std::get_if<liveblog::DeskCommand>(&command)) {
        // Only a new draft has no id; every action but a new draft and a removal names its version.
        const bool creates = desk->action == liveblog::DeskAction::save && desk->draft_id.empty();
        FUZZ_REQUIRE(creates || (!desk->draft_id.empty() && desk->draft_id.size() <= 64));
        if (!creates && desk->action != liveblog::DeskAction::remove)
            FUZZ_REQUIRE(desk->expected_version && *desk->expected_version != 0);
        if (creates) FUZZ_REQUIRE(desk->blocks.has_value());
        if (desk->blocks) check_blocks(*desk->blocks);
        FUZZ_REQUIRE(!desk->by_scheduler);  // never from the wire
    }
}

// Any time a client sends: parsed or refused, never a crash; what parses
// prints back to the same instant.
void check_time(const json& msg) {
    auto it = msg.find("publish_at");
    if (it == msg.end() || !it->is_string()) return;
    if (auto t = liveblog::parse_iso8601(it->get_ref<const std::string&>()))
        FUZZ_REQUIRE(liveblog::parse_iso8601(liveblog::format_iso8601(*t)) == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // The server's limits, then tight ones so that every refusal is reachable with short inputs.
    check_bounded(text, liveblog::JsonLimits{});
    check_bounded(text, liveblog::JsonLimits{
                            .max_bytes = 2048, .max_depth = 6, .max_string_bytes = 40, .max_elements = 48});

    json msg;
    try {
        msg = liveblog::parse_json_object(text);
    } catch (const liveblog::Error&) {
        return 0;
    }
    FUZZ_REQUIRE(msg.is_object());

    try {
        (void)liveblog::parse_reader_message(msg);
    } catch (const liveblog::Error&) {
    }

    check_time(msg);
    (void)liveblog::request_id_of(msg);
    try {
        const auto message = liveblog::parse_admin_message(msg, "Fuzz Author");
        if (const auto* command = std::get_if<liveblog::Command>(&message)) check_command(*command);
        if (const auto* where = std::get_if<liveblog::EditingMessage>(&message))
            FUZZ_REQUIRE(liveblog::is_valid_slug(where->story) && (!where->entry_id || !where->entry_id->empty()));
    } catch (const liveblog::Error&) {
    }
    return 0;
}
