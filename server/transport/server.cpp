#include "transport/server.hpp"

#include <chrono>

#include "common/error_code.hpp"
#include "common/log.hpp"
#include "transport/ws_session.hpp"

namespace liveblog {

Server::Server(const Config& config, Hub& hub, std::string secret)
    : config_(config),
      hub_(hub),
      ctx_{config, hub, std::move(secret), std::make_shared<ConnectionLimiter>(config.max_connections_per_ip)} {
    std::size_t n = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<ShardContext>(i));
    std::vector<ShardContext*> all;
    for (auto& s : shards_) all.push_back(s.get());
    listener_ = std::make_shared<Listener>(*shards_[0], all, ctx_);
}

Server::~Server() { shutdown(std::chrono::milliseconds(0)); }

std::vector<Shard*> Server::shards() {
    std::vector<Shard*> out;
    for (auto& s : shards_) out.push_back(&s->shard);
    return out;
}

void Server::start() {
    listener_->listen(tcp::endpoint(net::ip::make_address(config_.listen_host), config_.listen_port));
    listener_->start();
    presence_timer_ = std::make_unique<net::steady_timer>(shards_[0]->ioc);
    schedule_presence();
    for (auto& s : shards_) {
        ShardContext* shard = s.get();
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
        net::post(shards_[0]->ioc, [this] { presence_timer_->cancel(); });
        hub_.stop();  // commits what editors already sent; their acks are queued
        for (auto& s : shards_) {
            ShardContext* shard = s.get();
            net::post(shard->ioc, [shard] {
                std::vector<WsSession*> open(shard->sessions.begin(), shard->sessions.end());
                for (WsSession* session : open) session->close(close_code::going_away, "server shutting down", false);
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
}

}  // namespace liveblog
