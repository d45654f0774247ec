#pragma once
// Incremental RFC 6455 frame parser for either end of a connection: a server
// parses its clients' frames (which must be masked), a client parses its
// server's (which must not be). One extension: permessage-deflate's RSV1
// bit (RFC 7692), accepted on a message's first frame once negotiated
// (set_compression); the sink asks message_compressed() and inflates.
//
// Invariant: an unmasked frame that arrives whole inside one read is handed
// to the sink straight from the read buffer; only a frame split across reads
// is copied, into a buffer borrowed from the pool and given back once the
// frame is complete. Masked payloads are unmasked into a borrowed buffer.
// Fragmented messages are reassembled the same way. After a close frame the
// parser ignores everything that follows. So an idle connection's parser
// holds no buffer at all.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "websocket/buffer_pool.hpp"
#include "websocket/wire.hpp"

namespace liveblog::ws {

enum class Role : std::uint8_t {
    client,  // parses a server's frames: unmasked
    server,  // parses a client's frames: masked
};

class FrameSink {
public:
    virtual void on_message(std::string_view payload, bool text) = 0;
    virtual void on_ping(std::string_view payload) = 0;
    virtual void on_pong(std::string_view payload) = 0;
    // `code` is 1005 when the close frame carried none; codes no endpoint may
    // send (1004-1006, 1015, under 1000, 1015-2999, 5000 and up) are a protocol error.
    virtual void on_close(std::uint16_t code, std::string_view reason) = 0;

protected:
    ~FrameSink() = default;
};

struct FrameHeader {
    enum class Status : std::uint8_t { complete, need_more, invalid };
    Status status = Status::need_more;
    bool fin = false;
    bool masked = false;
    bool rsv1 = false;               // "this message is compressed" (permessage-deflate)
    bool too_big = false;            // invalid because of the size limit
    Opcode opcode = Opcode::continuation;
    char mask[4] = {};
    std::size_t header_size = 2;     // need_more: bytes needed to know the header
    std::uint64_t payload_size = 0;  // complete only
    const char* error = nullptr;     // invalid only
};

// Reads a frame header from the first `size` bytes of `data`.
// `allow_rsv1`: permessage-deflate was negotiated, so RSV1 may be set on a
// data frame that starts a message (never on control or continuation frames).
FrameHeader parse_frame_header(const char* data, std::size_t size, std::uint64_t max_payload, Role role = Role::client,
                               bool allow_rsv1 = false);

class FrameParser {
public:
    explicit FrameParser(BufferPool* pool = nullptr, std::uint64_t max_message = 16u << 20, Role role = Role::client)
        : pool_(pool), max_message_(max_message), role_(role) {}
    FrameParser(FrameParser&&) noexcept = default;
    FrameParser& operator=(FrameParser&&) noexcept = default;
    ~FrameParser() { reset(); }

    // Consumes all of `data`. False on a protocol violation (error() names it,
    // too_big() tells a message over the limit); the connection must then be closed.
    bool feed(std::string_view data, FrameSink& sink);

    // The largest message from now on (an editor's connection is given the
    // reader's limit until it authenticates).
    void set_max_message(std::uint64_t max_message) { max_message_ = max_message; }
    // permessage-deflate was negotiated: RSV1 marks a compressed message.
    void set_compression(bool on) { compression_ = on; }
    // During FrameSink::on_message: whether that message came compressed
    // (its payload is then raw DEFLATE data, websocket/permessage_deflate).
    bool message_compressed() const { return message_compressed_; }
    // A message may come in at most this many frames: an endless run of
    // empty continuations would otherwise cost CPU and never end.
    static constexpr std::size_t max_fragments = 1024;

    const char* error() const { return error_; }
    bool too_big() const { return too_big_; }
    bool closed() const { return closed_; }
    std::size_t buffered() const { return partial_.size() + message_.size(); }
    // Back to a fresh connection's state; buffers go back to the pool.
    void reset();

private:
    bool deliver(const FrameHeader& h, const char* payload, FrameSink& sink);
    bool dispatch(const FrameHeader& h, std::string_view payload, FrameSink& sink);
    bool fail(const char* why, bool too_big = false) {
        error_ = why;
        too_big_ = too_big;
        return false;
    }
    void borrow(std::vector<char>& v);
    void give_back(std::vector<char>& v);

    BufferPool* pool_;
    std::uint64_t max_message_;
    Role role_;
    std::vector<char> partial_;   // an incomplete frame, header included
    std::vector<char> message_;   // payload of a fragmented message so far
    std::vector<char> unmasked_;  // a masked frame's payload, unmasked
    std::size_t fragments_ = 0;   // frames of the fragmented message so far
    bool in_message_ = false;
    bool message_text_ = false;
    bool compression_ = false;
    bool message_compressed_ = false;
    bool closed_ = false;
    bool too_big_ = false;
    const char* error_ = nullptr;
};

}  // namespace liveblog::ws
