// The console's sign-in: a session cookie for an email and password, who
// one is, signing out (here or everywhere), changing one's password.

#include "accounts/credentials.hpp"
#include "common/config.hpp"
#include "common/clock.hpp"
#include "http/handlers.hpp"
#include "http/http_api.hpp"

namespace liveblog::handlers {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

// Secure when the browser reached us over HTTPS (directly or through a proxy
// that says so), or when the operator asks for it.
bool secure_cookie(HttpContext& ctx, const Request& req) {
    return ctx.config.cookie_secure || ctx.reached_over_https(req);
}

std::string session_cookie(HttpContext& ctx, const Request& req, const std::string& value, long max_age_s) {
    std::string c = std::string(accounts::session_cookie_name) + "=" + value +
                    "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
    if (secure_cookie(ctx, req)) c += "; Secure";
    return c;
}

json principal_json(const Principal& p) {
    json j{{"id", p.user_id}, {"name", p.name}, {"role", to_string(p.role)}, {"credential", to_string(p.kind)},
           {"stories", p.stories ? json(*p.stories) : json(nullptr)}};
    if (p.expires_at) j["expires_at"] = format_iso8601(p.expires_at * 1000);
    return j;
}

}  // namespace

void sign_in(HttpContext& ctx, const RequestPtr& req) {
    // A cross-site form cannot send JSON, and a cross-site script is refused
    // here: nobody signs a browser in to an account of theirs (login CSRF).
    if (!same_origin(*req)) throw Error{ErrorCode::origin_refused, "sign in from this server's console"};
    json body = ctx.json_body(*req);
    std::string email = string_field(body, "email"), password = string_field(body, "password");
    const long max_age = static_cast<long>(ctx.config.session_max_age_s);
    ctx.accounts.sign_in(email, password, origin_of(*req),
                         ctx.answer<accounts::SignedIn>(req, [&ctx, req, max_age](accounts::SignedIn& s) {
                             auto res = json_response(200, {{"user", accounts::public_json(s.user)},
                                                            {"csrf_token", s.session.csrf_token},
                                                            {"expires_at", format_iso8601(s.session.expires_at)}});
                             res.set(http::field::set_cookie, session_cookie(ctx, *req, s.cookie_id, max_age));
                             return res;
                         }));
}

void whoami(HttpContext&, const RequestPtr& req) {
    json body{{"principal", principal_json(req->who())}};
    if (!req->csrf_token.empty()) body["csrf_token"] = req->csrf_token;
    req->respond(json_response(200, body));
}

void sign_out(HttpContext& ctx, const RequestPtr& req) {
    ctx.accounts.sign_out(req->who(), origin_of(*req), ctx.answer<accounts::Done>(req, [&ctx, req](accounts::Done&) {
        auto res = text_response(204, {}, "text/plain");
        res.set(http::field::set_cookie, session_cookie(ctx, *req, "", 0));
        return res;
    }));
}

void sign_out_everywhere(HttpContext& ctx, const RequestPtr& req) {
    if (req->who().kind != CredentialKind::session)
        throw Error{ErrorCode::bad_request, "only an account signs out everywhere; revoke a token instead"};
    ctx.accounts.sign_out_everywhere(req->who().user_id, req->who(), origin_of(*req),
                                     ctx.answer<accounts::Done>(req, [&ctx, req](accounts::Done&) {
                                         auto res = text_response(204, {}, "text/plain");
                                         res.set(http::field::set_cookie, session_cookie(ctx, *req, "", 0));
                                         return res;
                                     }));
}

void change_password(HttpContext& ctx, const RequestPtr& req) {
    json body = ctx.json_body(*req);
    ctx.accounts.change_password(req->who(), string_field(body, "current_password"), string_field(body, "new_password"),
                                 origin_of(*req), ctx.answer<accounts::Done>(req, [&ctx, req](accounts::Done&) {
                                     // Every session ended with the old password, this one too.
                                     auto res = text_response(204, {}, "text/plain");
                                     res.set(http::field::set_cookie, session_cookie(ctx, *req, "", 0));
                                     return res;
                                 }));
}

}  // namespace liveblog::handlers
