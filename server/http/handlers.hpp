#pragma once
// The HTTP handlers, by area; http/routes.cpp binds each to its route. One
// file per area:
//   ops_handlers.cpp    health, readiness, metrics
//   page_handlers.cpp   server-rendered pages and static files
//   read_handlers.cpp   the read API (/api/stories...)
//   write_handlers.cpp  the editor commands over REST
//   desk_handlers.cpp   drafts, review and schedules over REST
//   session_handlers.cpp  signing in and out of the console, one's own account
//   user_handlers.cpp   accounts (admins)
//   token_handlers.cpp  API tokens and the audit log (admins)
//   media_handlers.cpp  image uploads and the stored images
//   embed_handlers.cpp  social posts captured as embed cards
//   feed_handlers.cpp   feeds, the embed page and oEmbed: the story for other programs
// A handler answers through req->respond exactly once; it may throw Error
// before answering (the caller turns it into the error response).

#include "http/http_context.hpp"
#include "http/request.hpp"

namespace liveblog::handlers {

// ops_handlers.cpp
void healthz(HttpContext& ctx, const RequestPtr& req);
void readyz(HttpContext& ctx, const RequestPtr& req);
void metrics(HttpContext& ctx, const RequestPtr& req);
void cors_preflight(HttpContext& ctx, const RequestPtr& req);

// page_handlers.cpp
void story_list_page(HttpContext& ctx, const RequestPtr& req);
void story_page(HttpContext& ctx, const RequestPtr& req);
void console_page(HttpContext& ctx, const RequestPtr& req);
void static_file(HttpContext& ctx, const RequestPtr& req);
void favicon(HttpContext& ctx, const RequestPtr& req);
void websocket_only(HttpContext& ctx, const RequestPtr& req);

// read_handlers.cpp
void list_stories(HttpContext& ctx, const RequestPtr& req);
void get_story(HttpContext& ctx, const RequestPtr& req);
void list_entries(HttpContext& ctx, const RequestPtr& req);
void story_events(HttpContext& ctx, const RequestPtr& req);
void entry_revisions(HttpContext& ctx, const RequestPtr& req);

// write_handlers.cpp
void create_story(HttpContext& ctx, const RequestPtr& req);
void update_story(HttpContext& ctx, const RequestPtr& req);
void post_entry(HttpContext& ctx, const RequestPtr& req);
void update_entry(HttpContext& ctx, const RequestPtr& req);
void delete_entry(HttpContext& ctx, const RequestPtr& req);
void pin_entry(HttpContext& ctx, const RequestPtr& req);
void unpin_entry(HttpContext& ctx, const RequestPtr& req);

// desk_handlers.cpp
void get_desk(HttpContext& ctx, const RequestPtr& req);
void create_draft(HttpContext& ctx, const RequestPtr& req);
void update_draft(HttpContext& ctx, const RequestPtr& req);
void delete_draft(HttpContext& ctx, const RequestPtr& req);
void draft_action(HttpContext& ctx, const RequestPtr& req);

// session_handlers.cpp
void sign_in(HttpContext& ctx, const RequestPtr& req);
void whoami(HttpContext& ctx, const RequestPtr& req);
void sign_out(HttpContext& ctx, const RequestPtr& req);
void sign_out_everywhere(HttpContext& ctx, const RequestPtr& req);
void change_password(HttpContext& ctx, const RequestPtr& req);

// user_handlers.cpp
void list_users(HttpContext& ctx, const RequestPtr& req);
void create_user(HttpContext& ctx, const RequestPtr& req);
void update_user(HttpContext& ctx, const RequestPtr& req);
void sign_out_user(HttpContext& ctx, const RequestPtr& req);

// token_handlers.cpp
void list_tokens(HttpContext& ctx, const RequestPtr& req);
void create_token(HttpContext& ctx, const RequestPtr& req);
void revoke_token(HttpContext& ctx, const RequestPtr& req);
void list_audit(HttpContext& ctx, const RequestPtr& req);

// media_handlers.cpp
void upload_media(HttpContext& ctx, const RequestPtr& req);
void media_file(HttpContext& ctx, const RequestPtr& req);

// embed_handlers.cpp
void capture_embed(HttpContext& ctx, const RequestPtr& req);

// feed_handlers.cpp
void story_feed_atom(HttpContext& ctx, const RequestPtr& req);
void story_feed_json(HttpContext& ctx, const RequestPtr& req);
void embed_page(HttpContext& ctx, const RequestPtr& req);
void oembed(HttpContext& ctx, const RequestPtr& req);

}  // namespace liveblog::handlers
