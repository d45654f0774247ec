#include "http/responses.hpp"

#include <cmath>

namespace liveblog {

namespace http = boost::beast::http;

HttpResponse text_response(unsigned status, std::string body, std::string_view content_type) {
    HttpResponse res{static_cast<http::status>(status), 11};
    res.set(http::field::server, "liveblog");
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

HttpResponse json_response(unsigned status, const nlohmann::json& body) {
    auto res = text_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                             "application/json; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    return res;
}

HttpResponse error_response(ErrorCode code, std::string_view message, nlohmann::json extra) {
    const auto& info = error_info(code);
    nlohmann::json err{{"code", info.wire}, {"message", message}};
    if (info.retryable) err["retryable"] = true;
    if (extra.is_object())
        for (auto& [k, v] : extra.items()) err[k] = v;
    return json_response(static_cast<unsigned>(info.http_status), {{"error", err}});
}

bool etag_matches(const HttpRequest& req, const std::string& etag) {
    auto it = req.find(http::field::if_none_match);
    if (it == req.end()) return false;
    std::string_view v(it->value().data(), it->value().size());
    if (v == "*") return true;
    // A list of tags; weak tags (W/"...") match by their opaque part.
    std::size_t pos = 0;
    while (pos < v.size()) {
        auto comma = v.find(',', pos);
        std::string_view tag = v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        if (tag == etag) return true;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return false;
}

bool apply_cache_headers(const HttpRequest& req, HttpResponse& res, const std::string& etag, double max_age_s) {
    res.set(http::field::etag, etag);
    res.set(http::field::cache_control,
            "public, max-age=" + std::to_string(static_cast<long>(std::lround(max_age_s))));
    if (!etag_matches(req, etag)) return false;
    res.result(http::status::not_modified);
    res.body().clear();
    res.erase(http::field::content_length);
    res.erase(http::field::content_type);
    return true;
}

}  // namespace liveblog
