#include "http/encoded_response.hpp"

namespace liveblog {

namespace http = boost::beast::http;

EncodedResponsePtr encode_response(unsigned status, std::string body, std::string content_type, std::string etag,
                                   std::string cache_control, bool compress, CompressionLevels levels) {
    auto out = std::make_shared<EncodedResponse>();
    out->status = status;
    out->etag = std::move(etag);
    out->cache_control = std::move(cache_control);
    if (compress && body.size() >= min_compressible_bytes && is_compressible_type(content_type)) {
        // Kept only when smaller: an answer never grows by being compressed.
        out->gzip = gzip_compress(body, levels.gzip);
        if (out->gzip.size() >= body.size()) out->gzip.clear();
        out->br = brotli_compress(body, levels.br);
        if (out->br.size() >= body.size()) out->br.clear();
    }
    out->content_type = std::move(content_type);
    out->identity = std::move(body);
    return out;
}

void add_vary(HttpResponse& res, std::string_view token) {
    auto it = res.find(http::field::vary);
    if (it == res.end()) {
        res.set(http::field::vary, token);
        return;
    }
    std::string v(it->value());
    if (v.find(token) != std::string::npos) return;
    res.set(http::field::vary, v + ", " + std::string(token));
}

HttpResponse answer_encoded(const HttpRequest& req, const EncodedResponse& e) {
    const auto coding = choose_coding(parse_accept_encoding(req[http::field::accept_encoding]), !e.gzip.empty(),
                                      !e.br.empty());
    const bool compressed = coding != ContentCoding::identity;
    HttpResponse res{static_cast<http::status>(e.status), 11};
    res.set(http::field::server, "liveblog");
    if (!e.gzip.empty() || !e.br.empty()) add_vary(res, "Accept-Encoding");
    if (!e.cache_control.empty()) res.set(http::field::cache_control, e.cache_control);
    if (!e.etag.empty()) {
        res.set(http::field::etag, compressed ? "W/" + e.etag : e.etag);
        if (etag_matches(req, e.etag)) {
            res.result(http::status::not_modified);
            return res;
        }
    }
    res.set(http::field::content_type, e.content_type);
    if (compressed) res.set(http::field::content_encoding, coding_token(coding));
    res.body() = coding == ContentCoding::br ? e.br : coding == ContentCoding::gzip ? e.gzip : e.identity;
    res.prepare_payload();
    return res;
}

void compress_response(const AcceptedCodings& accepted, HttpResponse& res) {
    if (res.find(http::field::content_encoding) != res.end()) return;  // encoded already (cached forms)
    auto& body = res.body();
    if (body.size() < min_compressible_bytes) return;
    std::string_view type = res[http::field::content_type];
    if (!is_compressible_type(type)) return;
    add_vary(res, "Accept-Encoding");
    // Fast levels: this runs once per answer, on the thread answering.
    const auto coding = choose_coding(accepted, true, true);
    std::string packed;
    if (coding == ContentCoding::br) packed = brotli_compress(body, 1);
    else if (coding == ContentCoding::gzip) packed = gzip_compress(body, 1);
    else return;
    if (packed.size() >= body.size()) return;
    body = std::move(packed);
    res.set(http::field::content_encoding, coding_token(coding));
    if (auto it = res.find(http::field::etag); it != res.end() && !it->value().starts_with("W/"))
        res.set(http::field::etag, "W/" + std::string(it->value()));
    res.prepare_payload();
}

}  // namespace liveblog
