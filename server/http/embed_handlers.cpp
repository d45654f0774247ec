// Embed cards (docs/protocol.md "Embed cards"): POST /api/embeds captures a
// social post as a block the editor then puts in an entry.

#include "core/validation.hpp"
#include "embed/embed_service.hpp"
#include "http/handlers.hpp"
#include "http/responses.hpp"

namespace liveblog::handlers {

void capture_embed(HttpContext& ctx, const RequestPtr& req) {
    auto body = ctx.json_body(*req);
    auto url = string_field(body, "url");
    if (url.size() > ContentLimits{}.max_url_bytes || !is_http_url(url))
        throw Error{ErrorCode::invalid_content, "url: must be an http(s) URL"};
    ctx.embeds.capture(std::move(url), [req](std::variant<embed::Captured, Error> result) {
        if (auto* e = std::get_if<Error>(&result)) return req->respond(error_response_for(*e));
        const auto& c = std::get<embed::Captured>(result);
        nlohmann::json answer{{"block", c.block}, {"resolved", c.resolved}};
        if (!c.resolved) answer["problem"] = c.problem;
        req->respond(json_response(200, answer));
    });
}

}  // namespace liveblog::handlers
