#include "transport/listener.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "common/log.hpp"
#include "transport/http_session.hpp"
#include "transport/redirect_session.hpp"

namespace liveblog {

namespace {
std::string refusal(const char* status, const char* code, const char* message) {
    std::string body = std::string(R"({"error":{"code":")") + code + R"(","message":")" + message +
                       R"(","retryable":true}})";
    return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: application/json\r\nConnection: close\r\n" +
           "Retry-After: 1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}
const std::string per_ip_refusal =
    refusal("429 Too Many Requests", "too_many_connections", "too many connections from this address");
const std::string total_refusal =
    refusal("503 Service Unavailable", "overloaded", "the server is at its connection limit; retry shortly");

// Refuses a connection over a limit with a complete HTTP answer.
void refuse(tcp::socket socket, const std::string& response) {
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

Listener::Listener(std::vector<ShardContext*> shards, ServerContext& ctx, Role role)
    : shards_(std::move(shards)), ctx_(ctx), role_(role) {
    for (auto* shard : shards_) pause_.push_back(std::make_unique<net::steady_timer>(shard->ioc));
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

Listener::~Listener() {
    if (spare_fd_ >= 0) ::close(spare_fd_);
}

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
            self->pause_[i]->cancel();
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
        if (ec == net::error::no_descriptors || ec.value() == ENFILE) return out_of_descriptors(i, ec);
        if (ec) {
            // ECONNABORTED and friends: that connection is gone; go on.
            log_debug("accept: ", ec.message());
            continue;
        }
        admit(shard, std::move(socket));
    }
    net::post(shard.ioc, [self = shared_from_this(), i] { self->accept_ready(i); });
}

void Listener::out_of_descriptors(std::size_t i, const error_code& ec) {
    // One line per episode, not one per wake-up.
    const bool first = ctx_.limiter->note_descriptors_exhausted();
    if (first)
        log_error("accept: ", ec.message(), " with ", ctx_.limiter->open_connections(),
              " connections open: the process is out of file descriptors; raise LimitNOFILE (ulimit -n) or "
              "lower max_connections (now ", ctx_.limiter->max_connections(), ")");
    refuse_with_spare(*acceptors_[i]);
    pause_[i]->expires_after(std::chrono::milliseconds(100));
    pause_[i]->async_wait([self = shared_from_this(), i](error_code e) {
        if (!e) self->accept_ready(i);
    });
}

void Listener::refuse_with_spare(tcp::acceptor& acceptor) {
    std::lock_guard lock(spare_mutex_);
    if (spare_fd_ < 0) return;
    ::close(spare_fd_);
    const int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        // One try, no waiting: the answer is small and the socket is new.
        [[maybe_unused]] auto n = ::send(fd, total_refusal.data(), total_refusal.size(), MSG_NOSIGNAL);
        ::close(fd);
    }
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void Listener::admit(ShardContext& shard, tcp::socket socket) {
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string ip = ec ? std::string("?") : remote.address().to_string();
    ConnectionLimiter::Refusal why;
    auto ticket = ctx_.limiter->acquire(ip, why);
    if (!ticket) return refuse(std::move(socket), why == ConnectionLimiter::Refusal::total ? total_refusal : per_ip_refusal);
    // Once here for the connection's life (HTTP, then WebSocket or SSE).
    socket.set_option(tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);
    if (role_ == Role::redirect) return std::make_shared<RedirectSession>(std::move(socket), ctx_, std::move(ticket))->run();
    std::unique_ptr<TlsChannel> tls;
    if (ctx_.tls) tls = std::make_unique<TlsChannel>(ctx_.tls->current(), TlsChannel::Role::server);
    std::make_shared<HttpSession>(std::move(socket), shard, ctx_, std::move(ticket), std::move(tls))->run();
}

}  // namespace liveblog
