#pragma once
// Every error liveblog reports, in one table: the wire `code`, the HTTP status
// and, where the error ends a WebSocket connection, its close code.
// docs/protocol.md documents the same table; keep them in step.

#include <string>
#include <string_view>

namespace liveblog {

enum class ErrorCode {
    ok,
    bad_request,          // a field is missing or has the wrong type
    invalid_json,         // the message is not a JSON object
    invalid_utf8,         // the message bytes are not UTF-8
    unknown_type,         // `type` names no message of this endpoint
    invalid_slug,         // story id outside [a-z0-9-]{1,64}
    invalid_content,      // a block, title, author... breaks a content rule
    unauthorized,         // no token, or a token that does not verify
    token_expired,        // a valid token past its `exp`
    forbidden,            // role or `stories` scope does not allow this
    not_found,            // no such HTTP endpoint
    unknown_story,
    unknown_entry,
    story_exists,
    version_conflict,     // expected_version is not the entry's version
    story_ended,          // no new entries on an ended story
    too_large,            // frame or body over the configured maximum
    unsupported_media_type,  // an HTTP body that is not application/json
    too_many_subscriptions,
    too_many_connections, // per-IP connection limit
    rate_limited,         // too many messages per second
    store_unavailable,    // the store could not commit; retry later
    shutting_down,
    too_many_stories,     // create_story past max_stories
    overloaded,           // the server is at a capacity limit (connections, queued reads); retry later
    method_not_allowed,   // an HTTP path that exists, with a method it does not take
    bad_credentials,      // sign-in: wrong email or password (never says which)
    csrf_failed,          // a cookie-authenticated write without its X-CSRF-Token
    origin_refused,       // a cookie-authenticated request from another origin
    account_disabled,     // a disabled account signing in, or its session
    user_exists,          // an account with that email already exists
    unknown_user,
    unknown_token,        // no such API token
    unknown_draft,        // no such item on the story's desk
    invalid_state,        // a desk action the item's state does not allow (submit a scheduled item...)
    unsupported_image,    // an upload whose bytes are not an accepted image format
    media_too_large,      // an upload past the pixel, side or frame limits (a decompression bomb)
    invalid_image,        // an upload that does not decode (truncated, corrupt)
    internal,
};

struct ErrorInfo {
    ErrorCode code;
    std::string_view wire;   // the `code` field
    int http_status;
    bool retryable;          // a client may send the same request again later
};

const ErrorInfo& error_info(ErrorCode code);
inline std::string_view wire_name(ErrorCode code) { return error_info(code).wire; }

// WebSocket close codes liveblog sends (RFC 6455 section 7.4 plus 4000-4999).
namespace close_code {
inline constexpr unsigned short normal = 1000;
inline constexpr unsigned short going_away = 1001;       // server shutting down
inline constexpr unsigned short invalid_payload = 1007;  // text frame not UTF-8
inline constexpr unsigned short policy = 1008;
inline constexpr unsigned short too_big = 1009;          // frame over max size
inline constexpr unsigned short internal = 1011;
inline constexpr unsigned short auth_failed = 4001;      // admin auth missing/invalid
inline constexpr unsigned short auth_timeout = 4002;     // no auth message in time (or no fresh one after expiry)
inline constexpr unsigned short slow_reader = 4008;      // outbound queue overflow: resume with `since`
inline constexpr unsigned short flooding = 4029;         // kept sending past the rate limit
}  // namespace close_code

// An error that carries its code; thrown by parsers and validators, turned
// into an `error` reply at the edge.
struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;
    long retry_after_s = 0;  // rate_limited: when to try again (0: not said)
};

}  // namespace liveblog
