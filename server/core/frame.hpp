#pragma once
// One encoded server message, shared by every connection that sends it.
// Invariant: immutable once made (but for its compressed form, made once on
// first use, below); queues hold FramePtr, never copies.
//
// The WebSocket form is the whole frame, header included: a server frame is
// the same bytes for every reader (servers do not mask), so it is built once
// and written as is to each socket. The permessage-deflate form is the same:
// with no context takeover a message compresses to the same bytes for every
// reader, so it is deflated once, by whichever shard needs it first, and
// shared by every reader that accepted the extension.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "core/content.hpp"
#include "websocket/permessage_deflate.hpp"
#include "websocket/wire.hpp"

namespace liveblog {

struct Frame {
    std::string story;   // routing key; empty for per-connection replies
    Seq seq = 0;         // the event's seq; 0 for messages outside the sequence (presence, errors)
    std::string ws;      // the WebSocket frame: header, then the payload
    std::size_t header = 0;  // bytes of `ws` before the payload
    std::string sse;     // the same as a Server-Sent Event ("id: seq\ndata: text\n\n"); empty for per-connection replies
    bool shared = false; // sent to many (events, snapshots, presence): worth compressing once

    Frame() = default;
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;
    ~Frame() {
        const Frame* d = deflated_.load(std::memory_order_acquire);
        if (d != nullptr && d != not_smaller()) delete d;
    }

    // The payload: the JSON text (or a control frame's payload).
    std::string_view text() const { return std::string_view(ws).substr(header); }

    // The permessage-deflate form of this text frame, or nullptr when
    // compressing does not make it smaller. Made once; thread-safe (two
    // shards racing both compress, the first to publish wins).
    const Frame* deflated() const {
        const Frame* d = deflated_.load(std::memory_order_acquire);
        if (d == nullptr) {
            auto made = std::make_unique<Frame>();
            const std::string packed = ws::deflate_message(text());
            const Frame* result = not_smaller();
            if (packed.size() < text().size()) {
                made->story = story;
                made->seq = seq;
                made->header = ws::frame_header_size(packed.size(), false);
                ws::append_frame(made->ws, ws::Opcode::text, packed, nullptr, true);
                result = made.get();
            }
            const Frame* expected = nullptr;
            if (deflated_.compare_exchange_strong(expected, result, std::memory_order_acq_rel)) {
                if (result == made.get()) made.release();
                d = result;
            } else {
                d = expected;  // another thread published first; `made` is freed
            }
        }
        return d == not_smaller() ? nullptr : d;
    }

private:
    // The marker for "compressed, and it was no smaller".
    static const Frame* not_smaller() {
        static const Frame marker;
        return &marker;
    }
    mutable std::atomic<const Frame*> deflated_{nullptr};
};

using FramePtr = std::shared_ptr<const Frame>;

// A frame of raw bytes: the WebSocket form (`ws`) or the SSE form (`sse`),
// for what is not a message (an HTTP answer written on the socket).
inline FramePtr make_raw_frame(std::string ws_bytes, std::string sse_bytes = {}) {
    auto f = std::make_shared<Frame>();
    f->ws = std::move(ws_bytes);
    f->sse = std::move(sse_bytes);
    return f;
}

// A WebSocket frame of any opcode, for one connection or shared (pings, closes).
inline FramePtr make_ws_frame(ws::Opcode op, std::string_view payload, std::string story = {}, Seq seq = 0) {
    auto f = std::make_shared<Frame>();
    f->story = std::move(story);
    f->seq = seq;
    f->header = ws::frame_header_size(payload.size(), false);
    ws::append_frame(f->ws, op, payload);
    return f;
}

// A reply to one connection.
inline FramePtr make_frame(std::string story, Seq seq, std::string_view text) {
    return make_ws_frame(ws::Opcode::text, text, std::move(story), seq);
}

// A message shared by every follower of a story, in both transports' forms.
inline FramePtr make_shared_frame(std::string story, Seq seq, std::string_view text) {
    auto f = std::make_shared<Frame>();
    f->story = std::move(story);
    f->seq = seq;
    f->shared = true;
    f->header = ws::frame_header_size(text.size(), false);
    ws::append_frame(f->ws, ws::Opcode::text, text);
    f->sse.reserve(text.size() + 32);
    if (seq != 0) f->sse.append("id: ").append(std::to_string(seq)).append("\n");
    f->sse.append("data: ").append(text).append("\n\n");
    return f;
}

}  // namespace liveblog
