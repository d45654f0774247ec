#pragma once
// What every HTTP handler shares: the server's configuration, the hub, the
// metrics, and the helpers that make answers look alike (store reads off the
// I/O threads, cache headers, ETags).

#include <functional>
#include <string>

#include "core/hub.hpp"
#include "http/request.hpp"

namespace liveblog {

struct Config;
class MetricsRegistry;

struct HttpContext {
    const Config& config;
    Hub& hub;
    MetricsRegistry& metrics;
    // What /readyz reports beside the store: why the server cannot take more
    // connections, or null.
    std::function<const char*()> capacity_check;

    // Runs fn on the reader thread; a store exception answers 503
    // store_unavailable, a full queue 503 overloaded.
    void read_then(const Respond& respond, std::function<void()> fn) const;
    // "public, max-age=N" for cacheable reads.
    std::string cache_control() const;
    // "<epoch>-<seq>[-variant]": changes whenever the story does.
    static std::string story_etag(const Story& story, const std::string& variant = {});
};

HttpResponse html_response(unsigned status, std::string body);

}  // namespace liveblog
