#pragma once
// Building HTTP responses: JSON bodies, the error shape, caching headers.

#include <string>
#include <string_view>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "common/error_code.hpp"

namespace liveblog {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

HttpResponse text_response(unsigned status, std::string body, std::string_view content_type);
HttpResponse json_response(unsigned status, const nlohmann::json& body);
// {"error":{"code":...,"message":...,"retryable"?}} with the code's status.
HttpResponse error_response(ErrorCode code, std::string_view message, nlohmann::json extra = nullptr);

// Cacheable GET: ETag and Cache-Control; 304 (no body) when If-None-Match matches.
// Returns true when `res` became a 304.
bool apply_cache_headers(const HttpRequest& req, HttpResponse& res, const std::string& etag, double max_age_s);
bool etag_matches(const HttpRequest& req, const std::string& etag);

}  // namespace liveblog
