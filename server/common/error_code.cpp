#include "common/error_code.hpp"

#include <array>

namespace liveblog {

namespace {
// Indexed by ErrorCode; the static_assert below keeps the order honest.
constexpr std::array<ErrorInfo, static_cast<std::size_t>(ErrorCode::internal) + 1> table{{
    {ErrorCode::ok, "ok", 200, false},
    {ErrorCode::bad_request, "bad_request", 400, false},
    {ErrorCode::invalid_json, "invalid_json", 400, false},
    {ErrorCode::invalid_utf8, "invalid_utf8", 400, false},
    {ErrorCode::unknown_type, "unknown_type", 400, false},
    {ErrorCode::invalid_slug, "invalid_slug", 400, false},
    {ErrorCode::invalid_content, "invalid_content", 400, false},
    {ErrorCode::unauthorized, "unauthorized", 401, false},
    {ErrorCode::token_expired, "token_expired", 401, false},
    {ErrorCode::forbidden, "forbidden", 403, false},
    {ErrorCode::not_found, "not_found", 404, false},
    {ErrorCode::unknown_story, "unknown_story", 404, false},
    {ErrorCode::unknown_entry, "unknown_entry", 404, false},
    {ErrorCode::story_exists, "story_exists", 409, false},
    {ErrorCode::version_conflict, "version_conflict", 409, false},
    {ErrorCode::story_ended, "story_ended", 409, false},
    {ErrorCode::too_large, "too_large", 413, false},
    {ErrorCode::unsupported_media_type, "unsupported_media_type", 415, false},
    {ErrorCode::too_many_subscriptions, "too_many_subscriptions", 429, false},
    {ErrorCode::too_many_connections, "too_many_connections", 429, true},
    {ErrorCode::rate_limited, "rate_limited", 429, true},
    {ErrorCode::store_unavailable, "store_unavailable", 503, true},
    {ErrorCode::shutting_down, "shutting_down", 503, true},
    {ErrorCode::too_many_stories, "too_many_stories", 409, false},
    {ErrorCode::overloaded, "overloaded", 503, true},
    {ErrorCode::method_not_allowed, "method_not_allowed", 405, false},
    {ErrorCode::bad_credentials, "bad_credentials", 401, false},
    {ErrorCode::csrf_failed, "csrf_failed", 403, false},
    {ErrorCode::origin_refused, "origin_refused", 403, false},
    {ErrorCode::account_disabled, "account_disabled", 403, false},
    {ErrorCode::user_exists, "user_exists", 409, false},
    {ErrorCode::unknown_user, "unknown_user", 404, false},
    {ErrorCode::unknown_token, "unknown_token", 404, false},
    {ErrorCode::unknown_draft, "unknown_draft", 404, false},
    {ErrorCode::invalid_state, "invalid_state", 409, false},
    {ErrorCode::unsupported_image, "unsupported_image", 415, false},
    {ErrorCode::media_too_large, "media_too_large", 413, false},
    {ErrorCode::invalid_image, "invalid_image", 422, false},
    {ErrorCode::internal, "internal", 500, true},
}};

constexpr bool table_in_order() {
    for (std::size_t i = 0; i < table.size(); ++i)
        if (static_cast<std::size_t>(table[i].code) != i) return false;
    return true;
}
static_assert(table_in_order(), "error table must follow the ErrorCode order");
}  // namespace

const ErrorInfo& error_info(ErrorCode code) { return table[static_cast<std::size_t>(code)]; }

}  // namespace liveblog
