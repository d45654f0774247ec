// API tokens for machines (a CMS posting over HTTP) and the audit log, for
// admins (the route table requires one). A token's secret is shown once, in
// the answer that creates it.

#include "http/handlers.hpp"

namespace liveblog::handlers {

using nlohmann::json;

void list_tokens(HttpContext& ctx, const RequestPtr& req) {
    ctx.accounts.list_tokens(ctx.answer<std::vector<accounts::ApiToken>>(req, [](std::vector<accounts::ApiToken>& ts) {
        json list = json::array();
        for (auto& t : ts) list.push_back(accounts::public_json(t));
        return json_response(200, {{"tokens", list}});
    }));
}

void create_token(HttpContext& ctx, const RequestPtr& req) {
    json body = ctx.json_body(*req);
    std::string name = string_field(body, "name");
    Role role = role_field(body, Role::editor);
    auto stories = scope_field(body);
    ctx.accounts.create_token(std::move(name), role, std::move(stories), req->who(), origin_of(*req),
                              ctx.answer<accounts::CreatedToken>(req, [](accounts::CreatedToken& c) {
                                  return json_response(201, {{"token", accounts::public_json(c.token)},
                                                             {"secret", c.secret}});
                              }));
}

void revoke_token(HttpContext& ctx, const RequestPtr& req) {
    ctx.accounts.revoke_token(req->param("token"), req->who(), origin_of(*req),
                              ctx.answer<accounts::ApiToken>(req, [](accounts::ApiToken& t) {
                                  return json_response(200, {{"token", accounts::public_json(t)}});
                              }));
}

void list_audit(HttpContext& ctx, const RequestPtr& req) {
    std::size_t limit = req->uint_query("limit").value_or(100);
    if (limit == 0 || limit > 500) throw Error{ErrorCode::bad_request, "limit: 1 to 500"};
    ctx.accounts.list_audit(req->query("before").value_or(""), limit,
                            ctx.answer<std::vector<accounts::AuditEvent>>(req, [limit](std::vector<accounts::AuditEvent>& es) {
                                json list = json::array();
                                for (auto& e : es) list.push_back(accounts::public_json(e));
                                json next = es.size() == limit ? json(es.back().key) : json(nullptr);
                                return json_response(200, {{"events", list}, {"next_before", next}});
                            }));
}

}  // namespace liveblog::handlers
