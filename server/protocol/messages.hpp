#pragma once
// Messages clients send (docs/protocol.md), parsed and validated into typed
// values. Parsers throw Error with the code to reply with; nothing past a
// parser sees an unvalidated field.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/bounded_json.hpp"
#include "core/command.hpp"
#include "core/recovery.hpp"
#include "core/validation.hpp"

namespace liveblog {

// Parses one inbound text with the bounded parser (core/bounded_json):
// UTF-8 checked, limits applied, JSON object required. Throws invalid_utf8,
// too_large (over limits.max_bytes) or invalid_json (not JSON, not an object,
// or past a depth, string or element limit; the message says which).
nlohmann::json parse_json_object(std::string_view text, const JsonLimits& limits = {});

// ---- readers (/ws) ----

struct SubscribeMessage {
    std::string story;
    ResumePoint resume;
};
struct UnsubscribeMessage {
    std::string story;
};
struct PingMessage {};

using ReaderMessage = std::variant<SubscribeMessage, UnsubscribeMessage, PingMessage>;
ReaderMessage parse_reader_message(const nlohmann::json& msg);

// ---- editors (/admin/ws) ----

struct AuthMessage {
    std::string token;
};

// Where this editor is: on `story`, with `entry_id` open for editing (none:
// just on the story). Answered by no ack: the others get an `editors` list.
struct EditingMessage {
    std::string story;
    std::optional<std::string> entry_id;
};

// The request_id of a command, if the message has a usable one (string or
// integer); errors about the rest of the message still carry it.
nlohmann::json request_id_of(const nlohmann::json& msg);

// `type` and fields -> AuthMessage or a Command (content validated).
// `default_author` is used when the entry names none (the token's subject).
using AdminMessage = std::variant<AuthMessage, EditingMessage, Command>;
AdminMessage parse_admin_message(const nlohmann::json& msg, const std::string& default_author,
                                 const ContentLimits& limits = {});

}  // namespace liveblog
