#pragma once
// One encoded server message, shared by every connection that sends it.
// Invariant: immutable once made; queues hold FramePtr, never copies.

#include <memory>
#include <string>

#include "core/content.hpp"

namespace liveblog {

struct Frame {
    std::string story;  // routing key; empty for per-connection replies
    Seq seq = 0;        // the event's seq; 0 for messages outside the sequence (presence, errors)
    std::string text;   // the JSON text as sent on WebSockets
    std::string sse;    // the same as a Server-Sent Event ("id: seq\ndata: text\n\n"); empty for per-connection replies

    std::size_t size() const { return text.size(); }
};

using FramePtr = std::shared_ptr<const Frame>;

// A reply to one connection.
inline FramePtr make_frame(std::string story, Seq seq, std::string text) {
    return std::make_shared<const Frame>(Frame{std::move(story), seq, std::move(text), {}});
}

// A message shared by every follower of a story, in both transports' forms.
inline FramePtr make_shared_frame(std::string story, Seq seq, std::string text) {
    std::string sse;
    sse.reserve(text.size() + 32);
    if (seq != 0) sse.append("id: ").append(std::to_string(seq)).append("\n");
    sse.append("data: ").append(text).append("\n\n");
    return std::make_shared<const Frame>(Frame{std::move(story), seq, std::move(text), std::move(sse)});
}

}  // namespace liveblog
