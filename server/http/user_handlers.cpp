// Accounts, for admins (the route table requires one): the list, creating
// one (with a one-time password when none is given), changing one, ending
// all of someone's sessions.

#include "http/handlers.hpp"

namespace liveblog::handlers {

using nlohmann::json;


void list_users(HttpContext& ctx, const RequestPtr& req) {
    ctx.accounts.list_users(ctx.answer<std::vector<accounts::User>>(req, [](std::vector<accounts::User>& users) {
        json list = json::array();
        for (auto& u : users) list.push_back(accounts::public_json(u));
        return json_response(200, {{"users", list}});
    }));
}

void create_user(HttpContext& ctx, const RequestPtr& req) {
    json body = ctx.json_body(*req);
    accounts::NewUserRequest n;
    n.email = string_field(body, "email");
    n.name = string_field(body, "name");
    n.role = role_field(body, Role::contributor);
    n.stories = scope_field(body);
    if (body.contains("password")) n.password = string_field(body, "password");
    ctx.accounts.create_user(std::move(n), req->who(), origin_of(*req),
                             ctx.answer<accounts::CreatedUser>(req, [](accounts::CreatedUser& c) {
                                 json out{{"user", accounts::public_json(c.user)}};
                                 if (!c.generated_password.empty()) out["password"] = c.generated_password;
                                 auto res = json_response(201, out);
                                 res.set(boost::beast::http::field::location, "/api/users/" + c.user.id);
                                 return res;
                             }));
}

void update_user(HttpContext& ctx, const RequestPtr& req) {
    json body = ctx.json_body(*req);
    accounts::UserUpdateRequest u;
    if (body.contains("email")) u.changes.email = string_field(body, "email");
    if (body.contains("name")) u.changes.name = string_field(body, "name");
    if (body.contains("role")) u.changes.role = role_field(body, Role::contributor);
    if (body.contains("stories")) u.changes.stories = scope_field(body);
    if (body.contains("disabled")) {
        if (!body["disabled"].is_boolean()) throw Error{ErrorCode::bad_request, "disabled: true or false"};
        u.changes.disabled = body["disabled"].get<bool>();
    }
    if (body.contains("password")) u.password = string_field(body, "password");
    ctx.accounts.update_user(req->param("user"), std::move(u), req->who(), origin_of(*req),
                             ctx.answer<accounts::User>(req, [](accounts::User& user) {
                                 return json_response(200, {{"user", accounts::public_json(user)}});
                             }));
}

void sign_out_user(HttpContext& ctx, const RequestPtr& req) {
    ctx.accounts.sign_out_everywhere(req->param("user"), req->who(), origin_of(*req),
                                     ctx.answer<accounts::Done>(req, [](accounts::Done&) {
                                         return text_response(204, {}, "text/plain");
                                     }));
}

}  // namespace liveblog::handlers
