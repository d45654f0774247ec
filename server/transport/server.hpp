#pragma once
// The running server: one io_context and thread per shard, the listener,
// the presence timer, and the orderly shutdown.

#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "transport/listener.hpp"
#include "transport/server_context.hpp"
#include "transport/shard_context.hpp"

namespace liveblog {

class Server {
public:
    Server(const Config& config, Hub& hub, accounts::AccountService& accounts, std::string secret,
           MetricsRegistry& metrics, media::MediaService& media, embed::EmbedService& embeds);
    ~Server();

    // The shards, for Hub::attach_shards before start().
    std::vector<Shard*> shards();
    // Binds (throws on failure) and starts the I/O threads.
    void start();
    tcp::endpoint endpoint() const { return listener_->local_endpoint(); }
    // The redirect port's address, when redirect_listen is set (with TLS).
    std::optional<tcp::endpoint> redirect_endpoint() const;
    bool tls() const { return tls_ != nullptr; }
    // SIGHUP: loads the certificate and key again for the connections to
    // come; false (the old pair kept, `error` set) when they do not load.
    bool reload_tls(std::string& error);
    std::string tls_description() const;  // the current certificate's subject and expiry, for the log

    // Stops accepting, lets the storage thread commit what is queued (acks
    // still go out), closes every WebSocket with 1001 "going away", waits up
    // to `grace` for them to go, then stops the threads.
    void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

private:
    void schedule_presence();

    void register_metrics(MetricsRegistry& metrics);

    const Config& config_;
    Hub& hub_;
    HttpApi api_;
    EditorPresence presence_;
    std::unique_ptr<TlsCertificates> tls_;  // before ctx_, which points at it
    ServerContext ctx_;
    std::vector<std::unique_ptr<ShardContext>> shards_;
    std::shared_ptr<Listener> listener_;
    std::shared_ptr<Listener> redirect_listener_;  // plain HTTP -> https, when configured
    std::unique_ptr<net::steady_timer> presence_timer_;
    std::vector<std::thread> threads_;
    bool stopped_ = false;
};

}  // namespace liveblog
