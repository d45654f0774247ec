#include "http/compression.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include <optional>
#include <stdexcept>

namespace liveblog {

std::string_view coding_token(ContentCoding c) {
    switch (c) {
        case ContentCoding::gzip: return "gzip";
        case ContentCoding::br: return "br";
        case ContentCoding::identity: break;
    }
    return {};
}

std::string gzip_compress(std::string_view data, int level) {
    z_stream zs{};
    // 15 window bits + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("gzip: deflateInit2 failed");
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
    return out;
}

std::string brotli_compress(std::string_view data, int quality) {
    std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
    if (size == 0) size = data.size() + 1024;
    std::string out(size, '\0');
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                               reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                               reinterpret_cast<std::uint8_t*>(out.data())))
        throw std::runtime_error("brotli: compression failed");
    out.resize(size);
    return out;
}

bool gzip_decompress(std::string_view data, std::string& out) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return false;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    out.clear();
    char buf[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
    }
    inflateEnd(&zs);
    return rc == Z_STREAM_END;
}

bool brotli_decompress(std::string_view data, std::string& out) {
    auto* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    if (!state) return false;
    std::size_t in_left = data.size();
    const auto* in = reinterpret_cast<const std::uint8_t*>(data.data());
    out.clear();
    BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
        std::uint8_t buf[16384];
        std::size_t out_left = sizeof buf;
        std::uint8_t* next = buf;
        rc = BrotliDecoderDecompressStream(state, &in_left, &in, &out_left, &next, nullptr);
        out.append(reinterpret_cast<char*>(buf), sizeof buf - out_left);
    }
    BrotliDecoderDestroyInstance(state);
    return rc == BROTLI_DECODER_RESULT_SUCCESS && in_left == 0;
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// "q=0", "q=0.0", "q=0.000" refuse; any other weight (or none) accepts.
bool weight_accepts(std::string_view params) {
    std::size_t pos = 0;
    while (pos < params.size()) {
        auto semi = params.find(';', pos);
        std::string_view p = trim(params.substr(pos, semi == std::string_view::npos ? semi : semi - pos));
        if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            std::string_view v = p.substr(2);
            if (v.empty() || v[0] != '0') return true;
            return v.find_first_not_of("0.", 0) != std::string_view::npos;
        }
        if (semi == std::string_view::npos) break;
        pos = semi + 1;
    }
    return true;
}

}  // namespace

AcceptedCodings parse_accept_encoding(std::string_view header) {
    AcceptedCodings out;
    std::optional<bool> gzip, br, any;
    std::size_t pos = 0;
    while (pos <= header.size()) {
        auto comma = header.find(',', pos);
        std::string_view item = trim(header.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
        auto semi = item.find(';');
        std::string_view name = trim(item.substr(0, semi));
        bool ok = semi == std::string_view::npos || weight_accepts(item.substr(semi + 1));
        if (iequals(name, "gzip") || iequals(name, "x-gzip")) gzip = ok;
        else if (iequals(name, "br")) br = ok;
        else if (name == "*") any = ok;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    out.gzip = gzip.value_or(any.value_or(false));
    out.br = br.value_or(any.value_or(false));
    return out;
}

ContentCoding choose_coding(const AcceptedCodings& accepted, bool have_gzip, bool have_br) {
    if (accepted.br && have_br) return ContentCoding::br;
    if (accepted.gzip && have_gzip) return ContentCoding::gzip;
    return ContentCoding::identity;
}

bool is_compressible_type(std::string_view t) {
    t = t.substr(0, t.find(';'));
    return t.starts_with("text/") || t == "application/json" || t == "application/javascript" ||
           t == "image/svg+xml" || t == "application/manifest+json" || t.ends_with("+json") || t.ends_with("+xml");
}

}  // namespace liveblog
