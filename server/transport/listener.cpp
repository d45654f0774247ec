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

namespace {
constexpr int max_accepts_per_turn = 64;  // then the shard's other work gets a turn
}  // namespace

Listener::Listener(std::vector<ShardContext*> shards, ServerContext& ctx) : shards_(std::move(shards)), ctx_(ctx) {}

void Listener::listen(const tcp::endpoint& endpoint) {
    auto first = std::make_unique<tcp::acceptor>(shards_.at(0)->ioc);
    first->open(endpoint.protocol());
    first->set_option(net::socket_base::reuse_address(true));
    // Cluster nodes on one host may share the port; the kernel spreads
    // connections over them (and past one process's descriptor limit).
    if (ctx_.config.reuse_port) first->set_option(net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
    first->bind(endpoint);
    first->listen(net::socket_base::max_listen_connections);
    first->non_blocking(true);
    acceptors_.push_back(std::move(first));
    for (std::size_t i = 1; i < shards_.size(); ++i) {
        int fd = ::dup(acceptors_[0]->native_handle());
        if (fd < 0) throw boost::system::system_error(error_code(errno, boost::system::system_category()), "dup");
        auto a = std::make_unique<tcp::acceptor>(shards_[i]->ioc, endpoint.protocol(), fd);
        a->non_blocking(true);
        acceptors_.push_back(std::move(a));
    }
}

void Listener::start() {
    for (std::size_t i = 0; i < acceptors_.size(); ++i)
        net::post(shards_[i]->ioc, [self = shared_from_this(), i] { self->accept_ready(i); });
}

void Listener::stop() {
    for (std::size_t i = 0; i < acceptors_.size(); ++i)
        net::post(shards_[i]->ioc, [self = shared_from_this(), i] {
            error_code ignored;
            self->acceptors_[i]->close(ignored);
        });
}

void Listener::wait_ready(std::size_t i) {
    acceptors_[i]->async_wait(tcp::acceptor::wait_read, [self = shared_from_this(), i](error_code ec) {
        if (ec == net::error::operation_aborted || !self->acceptors_[i]->is_open()) return;
        self->accept_ready(i);
    });
}

// Takes what the backlog holds (epoll is edge-triggered: wait again only
// once accept says there is nothing left).
void Listener::accept_ready(std::size_t i) {
    tcp::acceptor& acceptor = *acceptors_[i];
    ShardContext& shard = *shards_[i];
    for (int n = 0; n < max_accepts_per_turn; ++n) {
        if (!acceptor.is_open()) return;
        tcp::socket socket(shard.ioc);
        error_code ec;
        acceptor.accept(socket, ec);
        if (ec == net::error::would_block || ec == net::error::try_again) return wait_ready(i);
        if (ec) {
            // EMFILE and friends: transient; try again on the next wake-up.
            log_warn("accept: ", ec.message());
            return wait_ready(i);
        }
        admit(shard, std::move(socket));
    }
    net::post(shard.ioc, [self = shared_from_this(), i] { self->accept_ready(i); });
}

void Listener::admit(ShardContext& shard, tcp::socket socket) {
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string ip = ec ? std::string("?") : remote.address().to_string();
    auto ticket = ctx_.limiter->acquire(ip);
    if (!ticket) return refuse(std::move(socket));
    // Once here for the connection's life (HTTP, then WebSocket or SSE).
    socket.set_option(tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);
    std::make_shared<HttpSession>(std::move(socket), shard, ctx_, std::move(ticket))->run();
}

}  // namespace liveblog
