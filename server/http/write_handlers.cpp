// The editor commands over REST (http/command_requests: each request becomes
// the command message /admin/ws would take).

#include "http/command_requests.hpp"
#include "http/handlers.hpp"

namespace liveblog::handlers {

void create_story(HttpContext& ctx, const RequestPtr& req) {
    auto msg = command_message(ctx, req, "create_story");
    if (auto id = msg.find("id"); id != msg.end()) msg["story"] = std::move(*id);
    std::string location;
    if (auto s = msg.find("story"); s != msg.end() && s->is_string()) location = "/api/stories/" + s->get<std::string>();
    submit_command(ctx, req, msg, 201, location);
}

void update_story(HttpContext& ctx, const RequestPtr& req) { submit_command(ctx, req, command_message(ctx, req, "update_story"), 200); }

void post_entry(HttpContext& ctx, const RequestPtr& req) {
    auto msg = command_message(ctx, req, "post_entry");
    std::string key = req->header("Idempotency-Key");
    if (!key.empty()) msg["idempotency_key"] = key;
    submit_command(ctx, req, msg, 201);
}

void update_entry(HttpContext& ctx, const RequestPtr& req) { submit_versioned(ctx, req, "update_entry"); }
void delete_entry(HttpContext& ctx, const RequestPtr& req) { submit_versioned(ctx, req, "delete_entry"); }

void pin_entry(HttpContext& ctx, const RequestPtr& req) { submit_command(ctx, req, command_message(ctx, req, "pin_entry"), 200); }
void unpin_entry(HttpContext& ctx, const RequestPtr& req) {
    submit_command(ctx, req, command_message(ctx, req, "unpin_entry"), 200);
}

}  // namespace liveblog::handlers
