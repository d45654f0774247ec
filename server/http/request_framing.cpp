#include "http/request_framing.hpp"

namespace liveblog {

namespace http = boost::beast::http;

namespace {
bool equals_ignoring_case(boost::beast::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != b[i]) return false;
    }
    return true;
}
}  // namespace

std::optional<std::string> framing_problem(const http::request_header<>& header) {
    const auto te = header.equal_range(http::field::transfer_encoding);
    const auto te_count = std::distance(te.first, te.second);
    const auto cl = header.equal_range(http::field::content_length);
    const auto cl_count = std::distance(cl.first, cl.second);
    if (te_count > 1) return "Transfer-Encoding given more than once";
    if (te_count == 1) {
        // "chunked" alone: "identity", "gzip, chunked", "chunked, chunked" or
        // a padded value is read differently by different parsers.
        if (!equals_ignoring_case(te.first->value(), "chunked")) return "Transfer-Encoding other than chunked";
        if (cl_count) return "both Transfer-Encoding and Content-Length";
        if (header.version() < 11) return "Transfer-Encoding in an HTTP/1.0 request";
    }
    if (cl_count > 1) return "Content-Length given more than once";
    if (cl_count == 1) {
        const auto v = cl.first->value();
        if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != boost::beast::string_view::npos)
            return "Content-Length is not a number";
    }
    return std::nullopt;
}

}  // namespace liveblog
