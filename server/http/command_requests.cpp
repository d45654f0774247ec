// Editor commands over REST: each request becomes the command message
// /admin/ws would take, then the same parsing, validation, authorization and
// storage queue. The answer is sent after the store committed.

#include "http/command_requests.hpp"

#include "core/authorization.hpp"
#include "protocol/codec.hpp"
#include "protocol/messages.hpp"

namespace liveblog {

namespace http = boost::beast::http;

namespace {

// "3", "\"3\"" or W/"3" -> 3.
std::optional<std::uint32_t> version_from_if_match(const std::string& v) {
    std::string s = v;
    if (s.rfind("W/", 0) == 0) s = s.substr(2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return static_cast<std::uint32_t>(std::stoul(s));
}

}  // namespace

HttpResponse command_response(const CommandResult& r, unsigned ok_status) {
    if (!r.ok()) {
        nlohmann::json extra;
        if (r.code == ErrorCode::version_conflict) extra = {{"entry_id", r.entry_id}, {"current_version", r.version}};
        return error_response(r.code, r.message, extra);
    }
    auto body = nlohmann::json::parse(encode_result("http", r));
    body.erase("type");
    body.erase("request_id");
    return json_response(r.duplicate ? 200 : ok_status, body);
}

nlohmann::json command_message(HttpContext& ctx, const RequestPtr& req, const char* type) {
    nlohmann::json msg = ctx.json_body(*req);
    msg["request_id"] = "http";
    msg["type"] = type;
    if (auto story = req->params.find("story"); story != req->params.end()) msg["story"] = story->second;
    if (auto entry = req->params.find("entry"); entry != req->params.end()) msg["entry_id"] = entry->second;
    if (auto draft = req->params.find("draft"); draft != req->params.end()) msg["draft_id"] = draft->second;
    return msg;
}

void take_if_match(const RequestPtr& req, nlohmann::json& msg) {
    std::string if_match = req->header(http::field::if_match);
    if (if_match.empty()) return;
    auto v = version_from_if_match(if_match);
    if (!v) throw Error{ErrorCode::bad_request, "If-Match: expected the entry version, e.g. \"3\""};
    msg["expected_version"] = *v;
}

void submit_versioned(HttpContext& ctx, const RequestPtr& req, const char* type) {
    auto msg = command_message(ctx, req, type);
    take_if_match(req, msg);
    submit_command(ctx, req, msg, 200);
}

void submit_command(HttpContext& ctx, const RequestPtr& req, const nlohmann::json& msg, unsigned ok_status,
                    std::string location) {
    auto parsed = parse_admin_message(msg, req->who().name, ctx.content_limits);
    Command command = std::move(std::get<Command>(parsed));
    authorize(req->who(), command);
    stamp_actor(command, req->who());
    auto audit = ctx.accounts.command_auditor(req->who(), command, origin_of(*req));
    ctx.hub.submit(std::move(command), [audit, respond = req->respond, ok_status, location](const CommandResult& r) {
        audit(r);
        auto res = command_response(r, ok_status);
        if (r.ok() && !location.empty()) res.set(http::field::location, location);
        respond(std::move(res));
    });
}

}  // namespace liveblog
