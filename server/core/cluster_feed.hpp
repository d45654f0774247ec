#pragma once
// What the hub needs from a cross-node engine (cluster mode; the Redis one is
// redis/redis_feed). Without one, the hub's own commits are the only events.
//
// The engine delivers every event of the stories this node follows (has
// local readers for) through Hub::apply_cluster_event, in seq order, and the
// latest state of every story through Hub::apply_cluster_story. The hub tells
// it which stories to follow (first/last local reader) and the local viewer
// counts; it answers with the cluster-wide counts.
//
// Threading: every method returns at once (no network I/O): they are called
// with the hub's lock held, from I/O threads.

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/content.hpp"

namespace liveblog {

class ClusterFeed {
public:
    virtual ~ClusterFeed() = default;
    // Start delivering the story's events after the hub's seq for it.
    virtual void follow(const std::string& story) = 0;
    virtual void unfollow(const std::string& story) = 0;
    // This node's viewers per story (every story it has or had readers for).
    virtual void report_viewers(std::unordered_map<std::string, std::size_t> local) = 0;
    // Viewers of the story over every node, as last read; empty if unknown.
    virtual std::optional<std::size_t> cluster_viewers(const std::string& story) const = 0;
    // Connected and caught up (for /readyz).
    virtual bool healthy() const = 0;
};

}  // namespace liveblog
