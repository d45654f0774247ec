// Every HTTP route of the server, in one table: method, path, who may call
// it, what answers it. docs/protocol.md ("HTTP") lists the same table; keep
// them in step (tests/integration/http_api_test checks each route answers).
//
// Access is checked before the handler runs (http_api.cpp); what a signed-in
// principal may do beyond that (role, story scope) is core/authorization's.

#include "http/routes.hpp"

#include "http/handlers.hpp"

namespace liveblog {

namespace http = boost::beast::http;

Router build_routes(HttpContext& ctx) {
    using http::verb;
    using A = Access;
    using T = Takeover;
    // A handler bound to the shared context.
    const auto h = [&ctx](void (*fn)(HttpContext&, const RequestPtr&)) {
        return [&ctx, fn](const RequestPtr& req) { fn(ctx, req); };
    };

    Router r;
    // ---- readers ----
    r.add({verb::get, "/", A::anyone, h(handlers::story_list_page), T::none, "HTML list of the stories"});
    r.add({verb::get, "/stories/{story}", A::anyone, h(handlers::story_page), T::none, "server-rendered story page"});
    r.add({verb::get, "/stories/{story}/feed.atom", A::anyone, h(handlers::story_feed_atom), T::none,
           "the newest entries as Atom"});
    r.add({verb::get, "/stories/{story}/feed.json", A::anyone, h(handlers::story_feed_json), T::none,
           "the newest entries as JSON Feed 1.1"});
    r.add({verb::get, "/embed/stories/{story}", A::anyone, h(handlers::embed_page), T::none,
           "the embeddable live blog alone on a page, for iframes"});
    r.add({verb::get, "/oembed", A::anyone, h(handlers::oembed), T::none, "oEmbed for story URLs"});
    r.add({verb::get, "/ws", A::anyone, h(handlers::websocket_only), T::websocket, "readers' WebSocket"});
    r.add({verb::get, "/sse/stories/{story}", A::anyone, nullptr, T::event_stream, "the reader feed as Server-Sent Events"});
    r.add({verb::get, "/api/stories", A::anyone, h(handlers::list_stories), T::none, "every story"});
    r.add({verb::get, "/api/stories/{story}", A::anyone, h(handlers::get_story), T::none, "one story"});
    r.add({verb::get, "/api/stories/{story}/entries", A::anyone, h(handlers::list_entries), T::none, "a page of entries"});
    r.add({verb::get, "/api/stories/{story}/events", A::anyone, h(handlers::story_events), T::none,
           "the catch-up from a resume point"});
    r.add({verb::get, "/api/stories/{story}/entries/{entry}/revisions", A::signed_in, h(handlers::entry_revisions),
           T::none, "an entry's history, newest first"});
    r.add({verb::options, "/api/{path...}", A::anyone, h(handlers::cors_preflight), T::none, "CORS preflight"});

    // ---- editors ----
    // /admin/ws authenticates in its own protocol (header or `auth` message).
    r.add({verb::get, "/admin/ws", A::anyone, h(handlers::websocket_only), T::websocket, "editors' WebSocket"});
    r.add({verb::get, "/editor", A::anyone, h(handlers::console_page), T::none, "the console"});
    r.add({verb::post, "/api/stories", A::signed_in, h(handlers::create_story), T::none, "create_story"});
    r.add({verb::patch, "/api/stories/{story}", A::signed_in, h(handlers::update_story), T::none, "update_story"});
    r.add({verb::post, "/api/stories/{story}/entries", A::signed_in, h(handlers::post_entry), T::none, "post_entry"});
    r.add({verb::patch, "/api/stories/{story}/entries/{entry}", A::signed_in, h(handlers::update_entry), T::none,
           "update_entry"});
    r.add({verb::delete_, "/api/stories/{story}/entries/{entry}", A::signed_in, h(handlers::delete_entry), T::none,
           "delete_entry"});
    r.add({verb::post, "/api/stories/{story}/entries/{entry}/pin", A::signed_in, h(handlers::pin_entry), T::none,
           "pin_entry"});
    r.add({verb::delete_, "/api/stories/{story}/entries/{entry}/pin", A::signed_in, h(handlers::unpin_entry),
           T::none, "unpin_entry"});

    // ---- the desk: drafts, review, schedules (never readers') ----
    r.add({verb::get, "/api/stories/{story}/desk", A::signed_in, h(handlers::get_desk), T::none,
           "the drafts, review queue and schedule"});
    r.add({verb::post, "/api/stories/{story}/desk", A::signed_in, h(handlers::create_draft), T::none,
           "save_draft (a new draft)"});
    r.add({verb::patch, "/api/stories/{story}/desk/{draft}", A::signed_in, h(handlers::update_draft), T::none,
           "save_draft"});
    r.add({verb::delete_, "/api/stories/{story}/desk/{draft}", A::signed_in, h(handlers::delete_draft), T::none,
           "delete_draft"});
    r.add({verb::post, "/api/stories/{story}/desk/{draft}/{action}", A::signed_in, h(handlers::draft_action),
           T::none, "submit, send-back, schedule, unschedule or publish a draft"});

    // ---- media and embed cards ----
    // /api/media is the one route whose body may pass max_request_body_bytes
    // (up to max_upload_bytes): transport/http_session reads it so.
    r.add({verb::post, "/api/media", A::signed_in, h(handlers::upload_media), T::none, "upload an image"});
    r.add({verb::get, "/media/{media}/{file}", A::anyone, h(handlers::media_file), T::none,
           "an uploaded image's stored width"});
    r.add({verb::post, "/api/embeds", A::signed_in, h(handlers::capture_embed), T::none,
           "capture a social post as an embed card"});

    // ---- accounts (the console's sign-in, users, API tokens, audit) ----
    r.add({verb::post, "/api/session", A::anyone, h(handlers::sign_in), T::none, "sign in: a session cookie"});
    r.add({verb::get, "/api/session", A::signed_in, h(handlers::whoami), T::none, "who is signed in, and the CSRF token"});
    r.add({verb::delete_, "/api/session", A::signed_in, h(handlers::sign_out), T::none, "sign out"});
    r.add({verb::post, "/api/session/sign-out-everywhere", A::signed_in, h(handlers::sign_out_everywhere), T::none,
           "end every session of one's account"});
    r.add({verb::post, "/api/session/password", A::signed_in, h(handlers::change_password), T::none,
           "change one's password"});
    r.add({verb::get, "/api/users", A::admin, h(handlers::list_users), T::none, "every account"});
    r.add({verb::post, "/api/users", A::admin, h(handlers::create_user), T::none, "create an account"});
    r.add({verb::patch, "/api/users/{user}", A::admin, h(handlers::update_user), T::none,
           "change an account (name, email, role, scope, disabled, password)"});
    r.add({verb::post, "/api/users/{user}/sign-out", A::admin, h(handlers::sign_out_user), T::none,
           "end every session of an account"});
    r.add({verb::get, "/api/tokens", A::admin, h(handlers::list_tokens), T::none, "every API token"});
    r.add({verb::post, "/api/tokens", A::admin, h(handlers::create_token), T::none, "create an API token"});
    r.add({verb::delete_, "/api/tokens/{token}", A::admin, h(handlers::revoke_token), T::none, "revoke an API token"});
    r.add({verb::get, "/api/audit", A::admin, h(handlers::list_audit), T::none, "the audit log, newest first"});

    // ---- files and operations ----
    r.add({verb::get, "/static/{path...}", A::anyone, h(handlers::static_file), T::none, "static files"});
    r.add({verb::get, "/favicon.ico", A::anyone, h(handlers::favicon), T::none, "204, no icon"});
    r.add({verb::get, "/healthz", A::anyone, h(handlers::healthz), T::none, "liveness"});
    r.add({verb::get, "/readyz", A::anyone, h(handlers::readyz), T::none, "readiness"});
    r.add({verb::get, "/metrics", A::anyone, h(handlers::metrics), T::none, "Prometheus metrics"});
    return r;
}

}  // namespace liveblog
