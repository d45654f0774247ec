#include "websocket/frame_parser.hpp"

#include <algorithm>

namespace liveblog::ws {

FrameHeader parse_frame_header(const char* data, std::size_t size, std::uint64_t max_payload, Role role,
                               bool allow_rsv1) {
    FrameHeader h;
    if (size < 2) return h;
    const auto b0 = static_cast<unsigned char>(data[0]);
    const auto b1 = static_cast<unsigned char>(data[1]);
    auto invalid = [&h](const char* why) {
        h.status = FrameHeader::Status::invalid;
        h.error = why;
        return h;
    };
    const unsigned op = b0 & 0x0f;
    if (b0 & 0x30) return invalid("reserved bits set");
    h.rsv1 = (b0 & 0x40) != 0;
    // RSV1 only with permessage-deflate, and only where a message starts.
    if (h.rsv1 && (!allow_rsv1 || (op != 0x1 && op != 0x2))) return invalid("reserved bits set");
    if (op > 0xA || (op > 0x2 && op < 0x8)) return invalid("reserved opcode");
    h.masked = (b1 & 0x80) != 0;
    if (role == Role::client && h.masked) return invalid("masked frame from the server");
    if (role == Role::server && !h.masked) return invalid("unmasked frame from a client");
    h.fin = (b0 & 0x80) != 0;
    h.opcode = static_cast<Opcode>(op);
    const unsigned len7 = b1 & 0x7f;
    const std::size_t length_end = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
    h.header_size = length_end + (h.masked ? 4 : 0);
    if (size < h.header_size) return h;
    std::uint64_t n = len7;
    if (len7 == 126) {
        n = (std::uint64_t{static_cast<unsigned char>(data[2])} << 8) | static_cast<unsigned char>(data[3]);
    } else if (len7 == 127) {
        n = 0;
        for (int i = 2; i < 10; ++i) n = (n << 8) | static_cast<unsigned char>(data[i]);
        if (n >> 63) return invalid("64-bit length with the top bit set");
    }
    if (op >= 0x8 && (!h.fin || n > 125)) return invalid("control frame fragmented or over 125 bytes");
    if (n > max_payload) {
        h.too_big = true;
        return invalid("frame over the size limit");
    }
    if (h.masked)
        for (int i = 0; i < 4; ++i) h.mask[i] = data[length_end + static_cast<std::size_t>(i)];
    h.payload_size = n;
    h.status = FrameHeader::Status::complete;
    return h;
}

bool FrameParser::feed(std::string_view data, FrameSink& sink) {
    if (error_) return false;
    while (!data.empty() && !closed_) {
        if (!partial_.empty()) {
            // Complete the frame held in partial_; each round delivers it, or
            // consumes at least one byte, or runs out of input.
            for (;;) {
                FrameHeader h = parse_frame_header(partial_.data(), partial_.size(), max_message_, role_, compression_);
                if (h.status == FrameHeader::Status::invalid) return fail(h.error, h.too_big);
                const std::size_t want = h.status == FrameHeader::Status::complete
                                             ? h.header_size + static_cast<std::size_t>(h.payload_size)
                                             : h.header_size;
                if (h.status == FrameHeader::Status::complete && partial_.size() >= want) {
                    const bool ok = deliver(h, partial_.data() + h.header_size, sink);
                    give_back(partial_);
                    if (!ok) return false;
                    break;
                }
                if (data.empty()) return true;
                const std::size_t take = std::min(want - partial_.size(), data.size());
                partial_.insert(partial_.end(), data.data(), data.data() + take);
                data.remove_prefix(take);
            }
            continue;
        }
        FrameHeader h = parse_frame_header(data.data(), data.size(), max_message_, role_, compression_);
        if (h.status == FrameHeader::Status::invalid) return fail(h.error, h.too_big);
        if (h.status == FrameHeader::Status::complete) {
            const std::size_t total = h.header_size + static_cast<std::size_t>(h.payload_size);
            if (data.size() >= total) {
                if (!deliver(h, data.data() + h.header_size, sink)) return false;
                data.remove_prefix(total);
                continue;
            }
            borrow(partial_);
            partial_.reserve(total);
        } else {
            borrow(partial_);
        }
        partial_.insert(partial_.end(), data.begin(), data.end());
        data = {};
    }
    return true;
}

bool FrameParser::deliver(const FrameHeader& h, const char* payload, FrameSink& sink) {
    const std::string_view p(payload, static_cast<std::size_t>(h.payload_size));
    if (!h.masked) return dispatch(h, p, sink);
    borrow(unmasked_);
    unmasked_.resize(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) unmasked_[i] = static_cast<char>(p[i] ^ h.mask[i & 3]);
    const bool ok = dispatch(h, std::string_view(unmasked_.data(), unmasked_.size()), sink);
    give_back(unmasked_);
    return ok;
}

bool FrameParser::dispatch(const FrameHeader& h, std::string_view p, FrameSink& sink) {
    switch (h.opcode) {
        case Opcode::text:
        case Opcode::binary:
            if (in_message_) return fail("data frame inside a fragmented message");
            message_compressed_ = h.rsv1;
            if (h.fin) {
                sink.on_message(p, h.opcode == Opcode::text);
            } else {
                borrow(message_);
                message_.assign(p.begin(), p.end());
                in_message_ = true;
                fragments_ = 1;
                message_text_ = h.opcode == Opcode::text;
            }
            return true;
        case Opcode::continuation:
            if (!in_message_) return fail("continuation without a message");
            if (message_.size() + p.size() > max_message_) return fail("message over the size limit", true);
            if (++fragments_ > max_fragments) return fail("message in too many fragments", true);
            message_.insert(message_.end(), p.begin(), p.end());
            if (h.fin) {
                in_message_ = false;
                sink.on_message(std::string_view(message_.data(), message_.size()), message_text_);
                give_back(message_);
            }
            return true;
        case Opcode::ping: sink.on_ping(p); return true;
        case Opcode::pong: sink.on_pong(p); return true;
        case Opcode::close: {
            if (p.size() == 1) return fail("close frame with a 1-byte payload");
            std::uint16_t code = 1005;
            std::string_view reason;
            if (p.size() >= 2) {
                code = static_cast<std::uint16_t>((static_cast<unsigned char>(p[0]) << 8) | static_cast<unsigned char>(p[1]));
                reason = p.substr(2);
                // RFC 6455 section 7.4: the codes an endpoint may put in a close frame.
                const bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                                   (code >= 3000 && code <= 4999);
                if (!valid) return fail("invalid close code");
            }
            closed_ = true;
            sink.on_close(code, reason);
            return true;
        }
    }
    return fail("reserved opcode");
}

void FrameParser::reset() {
    give_back(partial_);
    give_back(message_);
    give_back(unmasked_);
    in_message_ = false;
    fragments_ = 0;
    closed_ = false;
    too_big_ = false;
    error_ = nullptr;
}

void FrameParser::borrow(std::vector<char>& v) {
    if (pool_ && v.capacity() == 0) v = pool_->take();
}

void FrameParser::give_back(std::vector<char>& v) {
    if (pool_) {
        if (v.capacity() != 0) pool_->give(std::move(v));
        v = {};
    } else {
        v.clear();
    }
}

}  // namespace liveblog::ws
