#include "http/request.hpp"

#include "http/url.hpp"

namespace liveblog {

std::string Request::header(boost::beast::http::field f) const {
    auto it = http.find(f);
    return it == http.end() ? std::string() : std::string(it->value());
}

std::string Request::header(std::string_view name) const {
    auto it = http.find(boost::beast::string_view(name.data(), name.size()));
    return it == http.end() ? std::string() : std::string(it->value());
}

std::optional<std::string> Request::query(std::string_view name) const { return query_param(target(), name); }

std::optional<std::uint64_t> Request::uint_query(std::string_view name) const {
    auto v = query(name);
    if (!v) return std::nullopt;
    if (v->empty() || v->size() > 19 || v->find_first_not_of("0123456789") != std::string::npos)
        throw Error{ErrorCode::bad_request, std::string(name) + ": must be a non-negative integer"};
    return std::stoull(*v);
}

}  // namespace liveblog
