#pragma once
// One encoded server message, shared by every connection that sends it.
// Invariant: immutable once made; queues hold FramePtr, never copies.
//
// The WebSocket form is the whole frame, header included: a server frame is
// the same bytes for every reader (servers do not mask), so it is built once
// and written as is to each socket.

#include <memory>
#include <string>
#include <string_view>

#include "core/content.hpp"
#include "websocket/wire.hpp"

namespace liveblog {

struct Frame {
    std::string story;   // routing key; empty for per-connection replies
    Seq seq = 0;         // the event's seq; 0 for messages outside the sequence (presence, errors)
    std::string ws;      // the WebSocket frame: header, then the payload
    std::size_t header = 0;  // bytes of `ws` before the payload
    std::string sse;     // the same as a Server-Sent Event ("id: seq\ndata: text\n\n"); empty for per-connection replies

    // The payload: the JSON text (or a control frame's payload).
    std::string_view text() const { return std::string_view(ws).substr(header); }
};

using FramePtr = std::shared_ptr<const Frame>;

// A WebSocket frame of any opcode, for one connection or shared (pings, closes).
inline FramePtr make_ws_frame(ws::Opcode op, std::string_view payload, std::string story = {}, Seq seq = 0) {
    Frame f{std::move(story), seq, {}, ws::frame_header_size(payload.size(), false), {}};
    ws::append_frame(f.ws, op, payload);
    return std::make_shared<const Frame>(std::move(f));
}

// A reply to one connection.
inline FramePtr make_frame(std::string story, Seq seq, std::string_view text) {
    return make_ws_frame(ws::Opcode::text, text, std::move(story), seq);
}

// A message shared by every follower of a story, in both transports' forms.
inline FramePtr make_shared_frame(std::string story, Seq seq, std::string_view text) {
    Frame f{std::move(story), seq, {}, ws::frame_header_size(text.size(), false), {}};
    ws::append_frame(f.ws, ws::Opcode::text, text);
    f.sse.reserve(text.size() + 32);
    if (seq != 0) f.sse.append("id: ").append(std::to_string(seq)).append("\n");
    f.sse.append("data: ").append(text).append("\n\n");
    return std::make_shared<const Frame>(std::move(f));
}

}  // namespace liveblog
