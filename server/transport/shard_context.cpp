#include "transport/shard_context.hpp"

#include "transport/connection.hpp"

namespace liveblog {

namespace {
constexpr std::size_t read_scratch_bytes = 64 << 10;
constexpr auto tick_interval = std::chrono::seconds(1);
}  // namespace

ShardContext::ShardContext(std::size_t id)
    : shard(id, [this](Shard::Task task) { net::post(ioc, std::move(task)); }),
      read_scratch(read_scratch_bytes),
      ioc(1) {}

ShardContext::~ShardContext() { destroying_ = true; }

void ShardContext::open(Connection* c, Transport t) {
    c->session_index_ = sessions_.size();
    c->transport_listed_ = t;
    sessions_.push_back(c);
    session_count = sessions_.size();
    ++stats.open[static_cast<int>(t)];
}

void ShardContext::closed(Connection* c) {
    const std::size_t i = c->session_index_;
    if (i == Connection::not_listed) return;
    Connection* last = sessions_.back();
    sessions_[i] = last;
    last->session_index_ = i;
    sessions_.pop_back();
    c->session_index_ = Connection::not_listed;
    session_count = sessions_.size();
    --stats.open[static_cast<int>(c->transport_listed_)];
}

void ShardContext::want_flush(std::shared_ptr<Connection> c) {
    if (to_flush_.empty()) net::post(ioc, [this] { run_flush(); });
    to_flush_.push_back(std::move(c));
}

void ShardContext::run_flush() {
    flushing_.swap(to_flush_);
    for (auto& c : flushing_) c->flush();
    flushing_.clear();
}

void ShardContext::start_ticking() { net::post(ioc, [this] { schedule_tick(); }); }

void ShardContext::stop_ticking() {
    net::post(ioc, [this] { tick_timer_.cancel(); });
}

void ShardContext::schedule_tick() {
    tick_timer_.expires_after(tick_interval);
    tick_timer_.async_wait([this](error_code ec) {
        if (ec) return;
        auto now = std::chrono::steady_clock::now();
        for_each_session([now](Connection& c) { c.tick(now); });
        schedule_tick();
    });
}

}  // namespace liveblog
