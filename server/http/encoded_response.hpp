#pragma once
// A response body encoded once and answered many times: the identity bytes
// and their gzip and brotli forms, with the headers every answer carries.
// Invariant: immutable once made; shared by every request it answers, on
// any thread.
//
// The ETag names the representation's content (the story's epoch and seq,
// or a file's hash). A compressed answer carries it weak (W/"..."), as nginx
// does: the bytes differ from the identity form's, the content does not, and
// If-None-Match compares weakly, so either form revalidates the other.

#include <memory>
#include <string>

#include "http/compression.hpp"
#include "http/responses.hpp"

namespace liveblog {

struct EncodedResponse {
    unsigned status = 200;
    std::string content_type;
    std::string etag;           // quoted; empty: none
    std::string cache_control;  // empty: none
    std::string identity;
    std::string gzip;           // empty: not worth compressing
    std::string br;

    std::size_t bytes() const { return identity.size() + gzip.size() + br.size() + etag.size() + 64; }
};
using EncodedResponsePtr = std::shared_ptr<const EncodedResponse>;

// How hard to compress: bodies made once per story change (pages, API
// pages) take a middle level; files made once per start take the best.
struct CompressionLevels {
    int gzip = 6;
    int br = 5;
};
inline constexpr CompressionLevels per_change_levels{6, 5};
inline constexpr CompressionLevels per_start_levels{9, 7};

// Encodes `body` in every coding that makes it smaller (compressible types
// of at least min_compressible_bytes, when `compress` is on).
EncodedResponsePtr encode_response(unsigned status, std::string body, std::string content_type, std::string etag,
                                   std::string cache_control, bool compress, CompressionLevels levels);

// The answer to `req`: 304 when If-None-Match matches the ETag, else the
// form its Accept-Encoding prefers, with Content-Encoding and Vary.
HttpResponse answer_encoded(const HttpRequest& req, const EncodedResponse& body);

// For answers made once (not cached): compresses `res` in place at a fast
// level when the client accepts it and it is worth it; adds Vary.
void compress_response(const AcceptedCodings& accepted, HttpResponse& res);

// Appends `token` to the response's Vary list unless it is already there.
void add_vary(HttpResponse& res, std::string_view token);

}  // namespace liveblog
