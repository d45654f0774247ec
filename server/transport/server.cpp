#include "transport/server.hpp"

#include <chrono>

#include "common/error_code.hpp"
#include "common/log.hpp"
#include "protocol/codec.hpp"
#include "transport/connection.hpp"

namespace liveblog {

Server::Server(const Config& config, Hub& hub, accounts::AccountService& accounts, std::string secret,
               MetricsRegistry& metrics, media::MediaService& media, embed::EmbedService& embeds)
    : config_(config),
      hub_(hub),
      api_(config, hub, accounts, secret, metrics, media, embeds),
      tls_(tls_enabled(config) ? std::make_unique<TlsCertificates>(config.tls_cert, config.tls_key) : nullptr),
      ctx_{config, hub, accounts, secret,
           std::make_shared<ConnectionLimiter>(config.max_connections_per_ip,
                                               config.max_connections ? config.max_connections
                                                                      : static_cast<std::size_t>(-1)),
           metrics, api_, presence_, tls_.get(), 0, media::content_limits_for(media), media} {
    // The pairing rules (both files or neither, redirect_listen only with
    // them) are check_tls_settings's, run before the server is made.
    // /readyz: a load balancer sends new readers elsewhere while this node is full.
    api_.set_capacity_check([limiter = ctx_.limiter]() -> const char* {
        if (limiter->descriptors_recently_exhausted()) return "out_of_descriptors";
        if (limiter->at_capacity()) return "at_connection_limit";
        return nullptr;
    });
    std::size_t n = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<ShardContext>(i));
    std::vector<ShardContext*> all;
    for (auto& s : shards_) all.push_back(s.get());
    listener_ = std::make_shared<Listener>(all, ctx_);
    if (!config.redirect_listen.empty()) redirect_listener_ = std::make_shared<Listener>(all, ctx_, Listener::Role::redirect);
    register_metrics(metrics);
    // Desk changes go to the consoles on the story (the editors' channel), never readers.
    hub_.set_desk_listener([this](const DeskChange& c) { presence_.broadcast(c.story, encode_desk_change(c)); });
}

// Values summed over the shards at scrape time: the hot path only bumps its
// own shard's relaxed counters.
void Server::register_metrics(MetricsRegistry& metrics) {
    metrics.add_collector([this](MetricsWriter& w) {
        std::vector<MetricSample> open;
        for (int t = 0; t < 3; ++t) {
            double n = 0;
            for (auto& s : shards_) n += static_cast<double>(s->stats.open[t].load(std::memory_order_relaxed));
            open.push_back({{{"transport", transport_names[t]}}, n});
        }
        w.gauge("liveblog_connections", "Open reader and editor connections by transport", std::move(open));
        double frames = 0, bytes = 0, dropped = 0;
        for (auto& s : shards_) {
            frames += static_cast<double>(s->stats.frames_sent.load(std::memory_order_relaxed));
            bytes += static_cast<double>(s->stats.bytes_sent.load(std::memory_order_relaxed));
            dropped += static_cast<double>(s->stats.slow_readers_dropped.load(std::memory_order_relaxed));
        }
        w.counter("liveblog_frames_sent_total", "Frames written to readers and editors", frames);
        w.counter("liveblog_bytes_sent_total", "Bytes of frames written to readers and editors", bytes);
        w.counter("liveblog_slow_readers_dropped_total", "Connections closed because their queue overflowed", dropped);
        std::vector<MetricSample> viewers;
        for (auto& [story, n] : hub_.top_viewers(20)) viewers.push_back({{{"story", story}}, static_cast<double>(n)});
        w.gauge("liveblog_story_subscribers", "Readers following a story (the 20 most followed)", std::move(viewers));
        w.gauge("liveblog_store_ready", "1 when the store commits and reads", hub_.store_ready() ? 1.0 : 0.0);
        if (tls_)
            w.gauge("liveblog_tls_certificate_expiry_seconds",
                    "notAfter of the certificate new TLS connections get, in seconds since the Unix epoch",
                    static_cast<double>(tls_->current()->not_after()));
    });
}

Server::~Server() { shutdown(std::chrono::milliseconds(0)); }

std::vector<Shard*> Server::shards() {
    std::vector<Shard*> out;
    for (auto& s : shards_) out.push_back(&s->shard);
    return out;
}

void Server::start() {
    listener_->listen(tcp::endpoint(net::ip::make_address(config_.listen_host), config_.listen_port));
    ctx_.bound_port = listener_->local_endpoint().port();
    listener_->start();
    if (redirect_listener_) {
        redirect_listener_->listen(tcp::endpoint(net::ip::make_address(config_.redirect_host), config_.redirect_port));
        redirect_listener_->start();
    }
    presence_timer_ = std::make_unique<net::steady_timer>(shards_[0]->ioc);
    schedule_presence();
    for (auto& s : shards_) {
        ShardContext* shard = s.get();
        shard->start_ticking();
        threads_.emplace_back([shard] {
            for (;;) {
                try {
                    shard->ioc.run();
                    return;
                } catch (const std::exception& e) {
                    // A handler threw: log it and keep serving the shard's other connections.
                    log_error("shard ", shard->shard.id(), ": ", e.what());
                }
            }
        });
    }
}

void Server::schedule_presence() {
    presence_timer_->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(config_.presence_interval_s)));
    presence_timer_->async_wait([this](error_code ec) {
        if (ec) return;
        hub_.broadcast_presence();
        hub_.probe_store();
        schedule_presence();
    });
}

void Server::shutdown(std::chrono::milliseconds grace) {
    if (stopped_) return;
    stopped_ = true;
    if (!threads_.empty()) {
        listener_->stop();
        if (redirect_listener_) redirect_listener_->stop();
        net::post(shards_[0]->ioc, [this] { presence_timer_->cancel(); });
        hub_.stop();  // commits what editors already sent; their acks are queued
        for (auto& s : shards_) {
            ShardContext* shard = s.get();
            shard->stop_ticking();
            net::post(shard->ioc, [shard] {
                shard->for_each_session(
                    [](Connection& c) { c.close(close_code::going_away, "server shutting down", false); });
            });
        }
        auto deadline = std::chrono::steady_clock::now() + grace;
        for (;;) {
            std::size_t open = 0;
            for (auto& s : shards_) open += s->session_count;
            if (open == 0 || std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    for (auto& s : shards_) s->ioc.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    if (listener_) listener_->release();
    if (redirect_listener_) redirect_listener_->release();
}

std::optional<tcp::endpoint> Server::redirect_endpoint() const {
    if (!redirect_listener_) return std::nullopt;
    return redirect_listener_->local_endpoint();
}

bool Server::reload_tls(std::string& error) {
    if (!tls_) return true;
    return tls_->reload(error);
}

std::string Server::tls_description() const { return tls_ ? tls_->current()->description() : std::string(); }

}  // namespace liveblog
