#pragma once
// Accepts TCP connections and deals them out to the shards round-robin
// (each connection then lives on one I/O thread for good). Enforces the
// per-IP connection limit before reading a byte.

#include <memory>
#include <vector>

#include "transport/net.hpp"
#include "transport/server_context.hpp"
#include "transport/shard_context.hpp"

namespace liveblog {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(ShardContext& home, std::vector<ShardContext*> shards, ServerContext& ctx);
    // Throws boost::system::system_error if the address cannot be bound.
    void listen(const tcp::endpoint& endpoint);
    void start();
    void stop();  // posts the close to the acceptor's thread
    tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    void do_accept();
    void on_accept(ShardContext& shard, error_code ec, tcp::socket socket);

    ShardContext& home_;
    std::vector<ShardContext*> shards_;
    ServerContext& ctx_;
    tcp::acceptor acceptor_;
    std::size_t next_ = 0;
};

}  // namespace liveblog
