#include "transport/listener.hpp"

#include "common/log.hpp"
#include "transport/http_session.hpp"

namespace liveblog {

namespace {
// Refuses a connection over the per-IP limit with a complete HTTP answer.
void refuse(tcp::socket socket) {
    static const std::string response = [] {
        std::string body =
            R"({"error":{"code":"too_many_connections","message":"too many connections from this address","retryable":true}})";
        return "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nConnection: close\r\n"
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    net::async_write(*s, net::buffer(response), [s](error_code, std::size_t) {
        error_code ignored;
        s->shutdown(tcp::socket::shutdown_both, ignored);
        s->close(ignored);
    });
}
}  // namespace

Listener::Listener(ShardContext& home, std::vector<ShardContext*> shards, ServerContext& ctx)
    : home_(home), shards_(std::move(shards)), ctx_(ctx), acceptor_(home.ioc) {}

void Listener::listen(const tcp::endpoint& endpoint) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::start() { do_accept(); }

void Listener::stop() {
    net::post(home_.ioc, [self = shared_from_this()] {
        error_code ignored;
        self->acceptor_.close(ignored);
    });
}

void Listener::do_accept() {
    ShardContext& shard = *shards_[next_++ % shards_.size()];
    acceptor_.async_accept(shard.ioc, [self = shared_from_this(), &shard](error_code ec, tcp::socket socket) {
        self->on_accept(shard, ec, std::move(socket));
    });
}

void Listener::on_accept(ShardContext& shard, error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // EMFILE and friends: keep accepting; the error is transient.
        log_warn("accept: ", ec.message());
    } else {
        error_code addr_ec;
        auto remote = socket.remote_endpoint(addr_ec);
        std::string ip = addr_ec ? std::string("?") : remote.address().to_string();
        auto ticket = ctx_.limiter->acquire(ip);
        socket.set_option(tcp::no_delay(true), addr_ec);
        if (!ticket) {
            refuse(std::move(socket));
        } else {
            auto session = std::make_shared<HttpSession>(std::move(socket), shard, ctx_, std::move(ticket));
            // The session runs on its own shard's thread from the start.
            net::post(shard.ioc, [session] { session->run(); });
        }
    }
    do_accept();
}

}  // namespace liveblog
