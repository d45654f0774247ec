#pragma once
// The only place that turns content into wire JSON (docs/protocol.md).
// Every event is encoded once, here, into a Frame shared by all readers.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/command.hpp"
#include "core/frame.hpp"
#include "store/store.hpp"

namespace liveblog {

nlohmann::json story_json(const Story& story);
nlohmann::json entry_json(const Entry& entry);
nlohmann::json event_json(const Event& event);

FramePtr encode_event(const Event& event);
// A snapshot sized to fit `max_bytes` (its JSON text): the pinned entries
// first, then the newest entries, each taken whole while it fits; `has_more`
// is set when an entry was left out, so the reader pages the rest through
// /entries. At least the story and empty lists always go.
FramePtr encode_snapshot(const StorySnapshot& snapshot, std::size_t max_bytes = static_cast<std::size_t>(-1));
FramePtr encode_presence(const std::string& story, std::size_t viewers);

// Replies to one connection (not shared, not sequenced).
std::string encode_error(ErrorCode code, std::string_view message,
                         const nlohmann::json& request_id = nullptr);
// An ack, or an error that carries what the editor needs to recover
// (version_conflict: the entry's current version).
std::string encode_result(const nlohmann::json& request_id, const CommandResult& result);
// The editors' channel: {"type":"desk_item",...} or {"type":"desk_removed",...}.
std::string encode_desk_change(const DeskChange& change);

}  // namespace liveblog
