#pragma once
// Who is editing: the editors' connections on each story, and the entry each
// has open. Every change is sent to the other editors on the same story as
//   {"type":"editors","story":S,"editors":[{"user_id","name","entry_id"|null}]}
// (each connection gets the list without itself). Editors' channel only:
// readers never see it. Per node: in cluster mode consoles see the editors
// on their own node (documented).
//
// It is also the editors' channel of the desk (core/desk.hpp): `broadcast`
// sends a frame to every connection on a story (drafts, the review queue
// and schedules go to consoles only).
//
// Thread-safe; `notify` is called outside the lock, from the thread that
// made the change, and must post to its connection's thread.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace liveblog {

class EditorPresence {
public:
    using Notify = std::function<void(std::string frame)>;
    struct Editor {
        std::string user_id, name;
        std::optional<std::string> entry_id;  // the entry open for editing, if any
    };

    // Connection `id` is on `story` with this entry open; replaces where it was.
    void set(std::uint64_t id, const std::string& story, Editor editor, Notify notify);
    // The connection left (closed, or lost its credential).
    void remove(std::uint64_t id);
    // Sends `frame` to every connection on `story`.
    void broadcast(const std::string& story, const std::string& frame) const;
    // The others on a story, as `id` would be told (for tests and the first list).
    std::vector<Editor> others(std::uint64_t id, const std::string& story) const;

private:
    struct Place {
        std::string story;
        Editor editor;
        Notify notify;
    };
    // The frames to send for `story` (recipient notify, frame); caller holds mutex_.
    std::vector<std::pair<Notify, std::string>> frames_locked(const std::string& story) const;

    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, Place> places_;
};

}  // namespace liveblog
