#pragma once
// The storage form of the content model in Redis (RedisStore's values, the
// event stream and the pub/sub payloads of cluster mode): complete and
// lossless, every field of Story, Entry and Event, so what comes back equals
// what went in. The reader-facing form is protocol/codec; the two are
// separate on purpose, so the wire can change without rewriting stored data.
//
// Shapes (absent optionals are null, never omitted):
//   story: {"id","title","summary","lang","status":"live|paused|ended",
//           "created_at","updated_at","seq","epoch","meta_seq",
//           "lead_image":object|null,"related":[...]} (the last two optional
//           when read: stories stored before them have neither)
//   entry: {"id","story","version","published_at","updated_at","author",
//           "title":string|null,"key_event","pinned","deleted","blocks",
//           "created_seq","modified_seq","idempotency_key"}
//   event: {"story","seq","op":"entry.created|...","entry":entry|null,
//           "entry_id","story_state":story|null}
// Seqs and versions are unsigned JSON integers, times signed ones; blocks are
// kept as they are (content validation is core/validation's business).
//
// Decoding is strict: a missing field, a wrong type or an unknown status or
// op throws StoreFailure, since it means the data was not written by us.

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/content.hpp"

namespace liveblog::redis {

nlohmann::json story_to_json(const Story& story);
nlohmann::json entry_to_json(const Entry& entry);
nlohmann::json event_to_json(const Event& event);

Story story_from_json(const nlohmann::json& json);
Entry entry_from_json(const nlohmann::json& json);
Event event_from_json(const nlohmann::json& json);

// The same from stored text (a Redis value or a pub/sub payload); text that
// is not JSON throws StoreFailure too.
Story parse_story(std::string_view text);
Entry parse_entry(std::string_view text);
Event parse_event(std::string_view text);

}  // namespace liveblog::redis
