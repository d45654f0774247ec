#include "websocket/permessage_deflate.hpp"

#include <zlib.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace liveblog::ws {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (true) {
        auto at = s.find(sep, pos);
        out.push_back(trim(s.substr(pos, at == std::string_view::npos ? at : at - pos)));
        if (at == std::string_view::npos) return out;
        pos = at + 1;
    }
}

// A window-bits value: 8 to 15, digits only (a quoted value is allowed).
std::optional<int> window_bits(std::string_view v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty() || v.size() > 2 || v.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    int n = std::stoi(std::string(v));
    if (n < 8 || n > 15) return std::nullopt;
    return n;
}

// Whether one offer ("permessage-deflate; p1; p2=v") can be accepted.
bool acceptable(std::string_view offer) {
    auto parts = split(offer, ';');
    if (parts.empty() || parts[0] != "permessage-deflate") return false;
    bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        auto eq = parts[i].find('=');
        std::string_view name = trim(parts[i].substr(0, eq));
        std::optional<std::string_view> value;
        if (eq != std::string_view::npos) value = trim(parts[i].substr(eq + 1));
        // Each parameter at most once, with a value only where one is defined.
        if (name == "server_no_context_takeover" && !value && !seen_snct) seen_snct = true;
        else if (name == "client_no_context_takeover" && !value && !seen_cnct) seen_cnct = true;
        else if (name == "server_max_window_bits" && value && !seen_smwb) {
            seen_smwb = true;
            auto bits = window_bits(*value);
            if (!bits || *bits < 15) return false;  // our shared frames use the full window
        } else if (name == "client_max_window_bits" && !seen_cmwb) {
            seen_cmwb = true;
            if (value && !window_bits(*value)) return false;
        } else {
            return false;
        }
    }
    return true;
}

struct Deflater {
    z_stream zs{};
    Deflater() {
        // Level 9 and memLevel 9: a message is compressed once for every reader.
        if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::runtime_error("permessage-deflate: deflateInit2 failed");
    }
    ~Deflater() { deflateEnd(&zs); }
};

struct Inflater {
    z_stream zs{};
    Inflater() {
        if (inflateInit2(&zs, -15) != Z_OK) throw std::runtime_error("permessage-deflate: inflateInit2 failed");
    }
    ~Inflater() { inflateEnd(&zs); }
};

}  // namespace

std::optional<std::string> negotiate_permessage_deflate(std::string_view offers) {
    // Offers are comma-separated, in the client's order of preference (a
    // quoted parameter value cannot hold a comma here: window bits are digits).
    for (auto offer : split(offers, ','))
        if (acceptable(offer)) return std::string("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    return std::nullopt;
}

std::string deflate_message(std::string_view payload) {
    thread_local Deflater d;
    deflateReset(&d.zs);
    std::string out(deflateBound(&d.zs, static_cast<uLong>(payload.size())) + 8, '\0');
    d.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    d.zs.avail_in = static_cast<uInt>(payload.size());
    d.zs.next_out = reinterpret_cast<Bytef*>(out.data());
    d.zs.avail_out = static_cast<uInt>(out.size());
    // A sync flush ends the data on a byte boundary with 00 00 ff ff, which
    // the receiver appends back (RFC 7692 section 7.2.2).
    if (deflate(&d.zs, Z_SYNC_FLUSH) != Z_OK || d.zs.avail_in != 0)
        throw std::runtime_error("permessage-deflate: deflate failed");
    out.resize(out.size() - d.zs.avail_out);
    if (out.size() >= 4 && out.compare(out.size() - 4, 4, std::string_view("\x00\x00\xff\xff", 4)) == 0)
        out.resize(out.size() - 4);
    return out;
}

bool inflate_message(std::string_view data, std::size_t max_bytes, std::string& out, bool& too_big) {
    thread_local Inflater f;
    inflateReset(&f.zs);
    too_big = false;
    out.clear();
    static const char tail[4] = {0, 0, '\xff', '\xff'};
    char buf[16384];
    for (int part = 0; part < 2; ++part) {
        std::string_view in = part == 0 ? data : std::string_view(tail, 4);
        f.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        f.zs.avail_in = static_cast<uInt>(in.size());
        do {
            f.zs.next_out = reinterpret_cast<Bytef*>(buf);
            f.zs.avail_out = sizeof buf;
            const int rc = inflate(&f.zs, Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return false;
            const std::size_t n = sizeof buf - f.zs.avail_out;
            if (out.size() + n > max_bytes) {
                too_big = true;
                return false;
            }
            out.append(buf, n);
            // A final block (BFINAL) ends the message; what follows it is ignored.
            if (rc == Z_STREAM_END) return true;
            if (rc == Z_BUF_ERROR && f.zs.avail_out != 0) break;  // needs more input
        } while (f.zs.avail_in > 0 || f.zs.avail_out == 0);
    }
    return true;
}

}  // namespace liveblog::ws
