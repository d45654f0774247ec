// The desk over REST (docs/protocol.md "The desk"): a CMS or a script files
// drafts and works them as the console does over /admin/ws.
//   GET    /api/stories/{story}/desk                      the desk
//   POST   /api/stories/{story}/desk                      save_draft (new)
//   PATCH  /api/stories/{story}/desk/{draft}              save_draft
//   DELETE /api/stories/{story}/desk/{draft}              delete_draft
//   POST   /api/stories/{story}/desk/{draft}/{action}     submit, send-back, schedule, unschedule, publish

#include "core/authorization.hpp"
#include "core/desk.hpp"
#include "http/command_requests.hpp"
#include "http/handlers.hpp"

namespace liveblog::handlers {

void get_desk(HttpContext& ctx, const RequestPtr& req) {
    const std::string story = req->param("story");
    if (!ctx.hub.has_story(story)) throw Error{ErrorCode::unknown_story, "no story '" + story + "'"};
    authorize(req->who(), Action::read_desk, story);
    ctx.read_then(req->respond, [&ctx, story, respond = req->respond] {
        respond(json_response(200, desk_list_json(ctx.hub.store(), story)));
    });
}

void create_draft(HttpContext& ctx, const RequestPtr& req) {
    auto msg = command_message(ctx, req, "save_draft");
    msg.erase("draft_id");  // a new one
    submit_command(ctx, req, msg, 201);
}

void update_draft(HttpContext& ctx, const RequestPtr& req) { submit_versioned(ctx, req, "save_draft"); }
void delete_draft(HttpContext& ctx, const RequestPtr& req) { submit_versioned(ctx, req, "delete_draft"); }

void draft_action(HttpContext& ctx, const RequestPtr& req) {
    static const std::pair<const char*, const char*> actions[] = {
        {"submit", "submit_draft"},       {"send-back", "send_back_draft"}, {"schedule", "schedule_draft"},
        {"unschedule", "unschedule_draft"}, {"publish", "publish_draft"},
    };
    const std::string action = req->param("action");
    for (const auto& [path, type] : actions)
        if (action == path) return submit_versioned(ctx, req, type);
    throw Error{ErrorCode::not_found, "no desk action '" + action + "' (submit, send-back, schedule, unschedule, publish)"};
}

}  // namespace liveblog::handlers
