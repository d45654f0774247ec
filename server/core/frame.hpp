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
    std::string text;   // the JSON text as sent

    std::size_t size() const { return text.size(); }
};

using FramePtr = std::shared_ptr<const Frame>;

inline FramePtr make_frame(std::string story, Seq seq, std::string text) {
    return std::make_shared<const Frame>(Frame{std::move(story), seq, std::move(text)});
}

}  // namespace liveblog
