#pragma once
// Incremental parser of the frames a WebSocket server sends (RFC 6455:
// unmasked, no extensions).
//
// Invariant: a frame that arrives whole inside one read is handed to the sink
// straight from the read buffer; only a frame split across reads is copied,
// into a buffer borrowed from the pool and given back once the frame is
// complete. Fragmented messages are reassembled the same way. After a close
// frame the parser ignores everything that follows.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "buffer_pool.hpp"

namespace liveblog::load {

enum class Opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

class FrameSink {
public:
    virtual void on_message(std::string_view payload, bool text) = 0;
    virtual void on_ping(std::string_view payload) = 0;
    virtual void on_pong(std::string_view payload) = 0;
    // `code` is 1005 when the close frame carried none.
    virtual void on_close(std::uint16_t code, std::string_view reason) = 0;

protected:
    ~FrameSink() = default;
};

struct FrameHeader {
    enum class Status : std::uint8_t { complete, need_more, invalid };
    Status status = Status::need_more;
    bool fin = false;
    Opcode opcode = Opcode::continuation;
    std::size_t header_size = 2;     // need_more: bytes needed to know the header
    std::uint64_t payload_size = 0;  // complete only
    const char* error = nullptr;     // invalid only
};

// Reads a frame header from the first `size` bytes of `data`.
FrameHeader parse_frame_header(const char* data, std::size_t size, std::uint64_t max_payload);

class FrameParser {
public:
    explicit FrameParser(BufferPool* pool = nullptr, std::uint64_t max_message = 16u << 20)
        : pool_(pool), max_message_(max_message) {}
    FrameParser(FrameParser&&) noexcept = default;
    FrameParser& operator=(FrameParser&&) noexcept = default;
    ~FrameParser() { reset(); }

    // Consumes all of `data`. False on a protocol violation (error() names it);
    // the connection must then be closed.
    bool feed(std::string_view data, FrameSink& sink);

    const char* error() const { return error_; }
    bool closed() const { return closed_; }
    std::size_t buffered() const { return partial_.size() + message_.size(); }
    // Back to a fresh connection's state; buffers go back to the pool.
    void reset();

private:
    bool deliver(const FrameHeader& h, const char* payload, FrameSink& sink);
    bool fail(const char* why) {
        error_ = why;
        return false;
    }
    void borrow(std::vector<char>& v);
    void give_back(std::vector<char>& v);

    BufferPool* pool_;
    std::uint64_t max_message_;
    std::vector<char> partial_;  // an incomplete frame, header included
    std::vector<char> message_;  // payload of a fragmented message so far
    bool in_message_ = false;
    bool message_text_ = false;
    bool closed_ = false;
    const char* error_ = nullptr;
};

}  // namespace liveblog::load
