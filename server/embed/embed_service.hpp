#pragma once
// Embed cards (docs/protocol.md "Embed cards"): a social post's URL turned,
// once, when the editor adds it, into a static card: the provider's oEmbed
// answer as plain text, its thumbnail re-hosted through the MediaStore.
// Readers' browsers never talk to the provider.
//
// Captures run on the embed workers (embed_threads), each bounded by
// embed_fetch_timeout_s for everything it fetches, and by the fetcher's
// address policy (embed/http_fetch.hpp). A capture that fails still answers:
// the plain link card, and why.

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error_code.hpp"
#include "common/work_queue.hpp"

namespace liveblog {
struct Config;
class MetricsRegistry;
class Counter;
namespace media {
class MediaService;
}
}  // namespace liveblog

namespace liveblog::embed {

struct Captured {
    nlohmann::json block;  // {"type":"embed","url",…,"card"?}: valid content, ready to post
    bool resolved = false;
    std::string problem;   // why there is no card (resolved false)
};

class EmbedService {
public:
    EmbedService(const Config& config, media::MediaService& media, MetricsRegistry& metrics);
    ~EmbedService();
    EmbedService(const EmbedService&) = delete;
    EmbedService& operator=(const EmbedService&) = delete;

    // On an embed worker; `done` runs there (Error: overloaded, shutting_down).
    void capture(std::string url, std::function<void(std::variant<Captured, Error>)> done);
    // The same, on the calling thread. `url` is an http(s) URL (the caller checked).
    Captured capture_now(const std::string& url);

    void stop() { workers_.stop(); }

private:
    const Config& config_;
    media::MediaService& media_;
    std::vector<std::string> trusted_origins_;
    struct TlsContext;
    std::unique_ptr<TlsContext> tls_;
    Counter& resolved_;
    Counter& unresolved_;
    WorkQueue workers_;
};

}  // namespace liveblog::embed
