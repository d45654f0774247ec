#pragma once
// HTTP content codings (RFC 9110 section 8.4): gzip (zlib) and brotli, and
// the choice between them by a request's Accept-Encoding.
//
// Compression costs CPU once per body, not per response: cached reads
// (http/response_cache) and static files (http/static_assets) keep their
// compressed forms, so only uncached answers are compressed as they go out,
// at a fast level.

#include <string>
#include <string_view>

namespace liveblog {

enum class ContentCoding { identity, gzip, br };

// The wire token ("gzip", "br"); empty for identity.
std::string_view coding_token(ContentCoding c);

// A gzip member (RFC 1952) of `data`; level 1 (fast) to 9 (small).
std::string gzip_compress(std::string_view data, int level);
// A brotli stream (RFC 7932) of `data`; quality 0 (fast) to 11 (small).
std::string brotli_compress(std::string_view data, int quality);
// For tests and tools: `out` becomes the data of a gzip member or a brotli
// stream; false when the input is not a whole one.
bool gzip_decompress(std::string_view data, std::string& out);
bool brotli_decompress(std::string_view data, std::string& out);

// What the client accepts, by Accept-Encoding: q=0 refuses a coding, "*"
// stands for any not named. An absent or empty header accepts neither.
struct AcceptedCodings {
    bool gzip = false;
    bool br = false;
};
AcceptedCodings parse_accept_encoding(std::string_view header);

// The coding to answer with, given what the client accepts and which forms
// exist: brotli when it can (smaller), else gzip, else identity.
ContentCoding choose_coding(const AcceptedCodings& accepted, bool have_gzip, bool have_br);

// Text formats (HTML, CSS, JS, JSON, SVG, plain text) shrink; images and
// fonts are already compressed.
bool is_compressible_type(std::string_view content_type);

// Below this many bytes compression does not pay for its headers.
inline constexpr std::size_t min_compressible_bytes = 1024;

}  // namespace liveblog
