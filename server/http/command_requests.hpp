#pragma once
// Editor commands over REST (write_handlers, desk_handlers): a request
// becomes the command message /admin/ws would take, then the same parsing,
// validation, authorization and storage queue; the answer is sent after the
// store committed.

#include <string>

#include <nlohmann/json.hpp>

#include "core/command.hpp"
#include "http/http_context.hpp"
#include "http/request.hpp"

namespace liveblog {

// The body as the command message of `type` (moved, never copied; an empty
// body is {}), with the path's story, entry and draft ids.
nlohmann::json command_message(HttpContext& ctx, const RequestPtr& req, const char* type);

// If-Match (the header wins over a body field) as expected_version.
void take_if_match(const RequestPtr& req, nlohmann::json& msg);

// The ack as JSON (without type and request_id), or the error.
HttpResponse command_response(const CommandResult& r, unsigned ok_status);

// The command `type` from the request's body, path and If-Match, submitted;
// 200 once committed. What most write routes are.
void submit_versioned(HttpContext& ctx, const RequestPtr& req, const char* type);

// Parses, authorizes, audits and queues the command; answers once committed.
void submit_command(HttpContext& ctx, const RequestPtr& req, const nlohmann::json& msg, unsigned ok_status,
                    std::string location = {});

}  // namespace liveblog
