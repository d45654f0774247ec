#pragma once
// Accepts TCP connections on every shard's own thread. Each shard watches the
// one listening socket through a descriptor of its own (dup) and, when it
// wakes, takes every connection that is ready, in a batch; a connection then
// lives on the shard that accepted it, for good. No hand-off between threads
// and no single accepting thread (both shards wake for a new connection and
// the one that loses the race finds nothing: cheaper than a hand-off).
// Enforces the per-IP and total connection limits before reading a byte.
// On the TLS port each connection gets its TlsChannel here, from the
// certificate current at accept time (a SIGHUP reload applies to the next one).

#include <memory>
#include <mutex>
#include <vector>

#include "transport/net.hpp"
#include "transport/server_context.hpp"
#include "transport/shard_context.hpp"

namespace liveblog {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    enum class Role {
        serve,     // the server: HTTP, WebSocket and SSE (over TLS when ctx.tls is set)
        redirect,  // plain HTTP that answers every request with a redirect to https (RedirectSession)
    };
    Listener(std::vector<ShardContext*> shards, ServerContext& ctx, Role role = Role::serve);
    ~Listener();
    // Throws boost::system::system_error if the address cannot be bound.
    void listen(const tcp::endpoint& endpoint);
    void start();
    void stop();  // posts each acceptor's close to its thread
    // Once the shards' threads have stopped: destroys the acceptors and pause timers while
    // every io_context they belong to still exists. (Tasks still queued in
    // the io_contexts hold the Listener itself and may outlive the first
    // shards; they are destroyed unrun.)
    void release() {
        acceptors_.clear();
        pause_.clear();
    }
    tcp::endpoint local_endpoint() const { return acceptors_.at(0)->local_endpoint(); }

private:
    void wait_ready(std::size_t shard);
    void accept_ready(std::size_t shard);
    void admit(ShardContext& shard, tcp::socket socket);
    // Out of descriptors (EMFILE/ENFILE): a connection waiting in the backlog
    // would wake the shard forever and never be answered. The spare
    // descriptor is let go to accept it and answer 503 overloaded, then
    // taken back; accepting pauses briefly, and /readyz says so.
    void out_of_descriptors(std::size_t shard, const error_code& ec);
    void refuse_with_spare(tcp::acceptor& acceptor);

    std::vector<ShardContext*> shards_;
    ServerContext& ctx_;
    Role role_;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;  // acceptors_[i] belongs to shards_[i]
    std::vector<std::unique_ptr<net::steady_timer>> pause_;  // pause_[i]: accepting resumes after EMFILE
    std::mutex spare_mutex_;
    int spare_fd_ = -1;  // /dev/null, held for the moment descriptors run out
};

}  // namespace liveblog
