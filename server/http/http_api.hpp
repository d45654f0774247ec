#pragma once
// Every plain HTTP endpoint (docs/protocol.md, "HTTP"): the REST API, the
// server-rendered pages, static files, health and metrics. WebSocket and SSE
// upgrades are taken over by the transport before this sees them.
//
// handle() answers through `respond` exactly once, possibly later and from
// another thread (store reads run on the hub's reader thread, writes on its
// storage thread); the caller takes the response back to its connection.

#include <functional>
#include <string>

#include "core/hub.hpp"
#include "http/responses.hpp"

namespace liveblog {

struct Config;
class MetricsRegistry;

class HttpApi {
public:
    using Respond = std::function<void(HttpResponse)>;

    HttpApi(const Config& config, Hub& hub, std::string secret, MetricsRegistry& metrics);
    void handle(const HttpRequest& req, Respond respond);
    // What /readyz reports beside the store: the reason the server cannot
    // take more connections, or null.
    void set_capacity_check(std::function<const char*()> check) { capacity_check_ = std::move(check); }

private:
    void get(const HttpRequest& req, const std::vector<std::string>& path, Respond respond);
    void write(const HttpRequest& req, const std::vector<std::string>& path, Respond respond);
    void story_page(const HttpRequest& req, const std::string& id, Respond respond);
    void entries_page(const HttpRequest& req, const std::string& id, Respond respond);
    void events(const HttpRequest& req, const std::string& id, Respond respond);
    void static_file(const std::string& relative, Respond respond);
    void add_cors(const std::string& origin, HttpResponse& res) const;
    // Runs fn on the reader thread; a store exception answers 503 store_unavailable.
    void read_then(const Respond& respond, std::function<void()> fn);
    std::string cache_control() const;
    std::string story_etag(const Story& story, const std::string& variant = {}) const;

    const Config& config_;
    Hub& hub_;
    std::string secret_;
    MetricsRegistry& metrics_;
    std::function<const char*()> capacity_check_;
};

// Path segments of a target ("/api/stories/x?y" -> {"api","stories","x"}), percent-decoded.
std::vector<std::string> split_path(std::string_view target);
// The value of ?name= in a target, percent-decoded; empty when absent.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

}  // namespace liveblog
