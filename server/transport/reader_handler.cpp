#include "transport/reader_handler.hpp"

#include "protocol/codec.hpp"

namespace liveblog {

ReaderHandler::ReaderHandler(Connection& session, Hub& hub, std::size_t max_subscriptions,
                             OnFailedSubscription on_failed)
    : session_(session), hub_(hub), max_subscriptions_(max_subscriptions), on_failed_(on_failed) {}

void ReaderHandler::on_message(std::string_view text) {
    try {
        auto msg = parse_reader_message(parse_json_object(text));
        std::visit(
            [&](auto& m) {
                using T = std::decay_t<decltype(m)>;
                if constexpr (std::is_same_v<T, SubscribeMessage>)
                    subscribe(m);
                else if constexpr (std::is_same_v<T, UnsubscribeMessage>)
                    unsubscribe(m.story);
                else
                    session_.send_text(R"({"type":"pong"})");
            },
            msg);
    } catch (const Error& e) {
        session_.send_text(encode_error(e.code, e.message));
    }
}

// Errors about one subscription name its story, so a client with several
// subscribes in flight knows which one failed.
void ReaderHandler::send_error(ErrorCode code, const std::string& message, const std::string& story) {
    auto j = nlohmann::json::parse(encode_error(code, message));
    j["story"] = story;
    session_.send_text(j.dump());
}

void ReaderHandler::subscription_failed(ErrorCode code, const std::string& message, const std::string& story) {
    send_error(code, message, story);
    if (on_failed_ == OnFailedSubscription::end_connection) session_.close(0, message, false);
}

void ReaderHandler::subscribe(const SubscribeMessage& m) {
    auto existing = subscriptions_.find(m.story);
    if (existing != subscriptions_.end()) {
        // A second subscribe to the same story restarts it from the new resume point.
        hub_.unsubscribe(session_.shard_context().shard, *existing->second);
        subscriptions_.erase(existing);
    } else if (subscriptions_.size() >= max_subscriptions_) {
        send_error(ErrorCode::too_many_subscriptions,
                   "at most " + std::to_string(max_subscriptions_) + " stories per connection", m.story);
        return;
    }
    auto sub = std::make_unique<Subscription>();
    sub->owner = this;
    sub->story = m.story;
    sub->generation = next_generation_++;

    std::weak_ptr<Connection> weak = session_.weak();
    ShardContext& shard = session_.shard_context();
    std::string story = m.story;
    std::uint64_t generation = sub->generation;
    // Catch-ups that finish later come back through this handler while the session lives.
    auto on_later = [weak, &shard, this, story, generation](CatchUp c) {
        Connection::post_to(weak, shard, [this, story, generation, c = std::move(c)](Connection&) {
            finish_catch_up(story, generation, c);
        });
    };
    auto result = hub_.subscribe(shard.shard, *sub, m.resume, on_later);
    if (result.code != ErrorCode::ok) {
        if (sub->indexed) hub_.unsubscribe(shard.shard, *sub);
        subscription_failed(result.code, result.message, m.story);
        return;
    }
    Subscription& ref = *sub;
    subscriptions_.emplace(m.story, std::move(sub));
    if (result.now) start_live(ref, *result.now);
}

void ReaderHandler::start_live(Subscription& sub, const CatchUp& c) {
    for (const auto& f : c.frames) session_.send(f);
    if (c.presence) session_.send(c.presence);
    nlohmann::json live{{"type", "subscribed"},
                        {"story", sub.story},
                        {"seq", c.seq},
                        {"epoch", c.epoch},
                        {"mode", to_string(c.plan)}};
    session_.send_text(live.dump());
}

void ReaderHandler::finish_catch_up(const std::string& story, std::uint64_t generation, const CatchUp& c) {
    auto it = subscriptions_.find(story);
    if (it == subscriptions_.end() || it->second->generation != generation) return;  // unsubscribed meanwhile
    Subscription& sub = *it->second;
    if (c.failed) {
        hub_.unsubscribe(session_.shard_context().shard, sub);
        subscriptions_.erase(it);
        subscription_failed(ErrorCode::store_unavailable, "could not read '" + story + "'; subscribe again", story);
        return;
    }
    start_live(sub, c);
    // Frames that arrived during the catch-up: only those it did not cover.
    sub.catching_up = false;
    if (sub.last_seq < c.seq) sub.last_seq = c.seq;
    std::vector<FramePtr> held;
    held.swap(sub.held);
    for (const auto& f : held)
        if (f->seq == 0 || f->seq > c.seq) session_.send(f);
}

void ReaderHandler::unsubscribe(const std::string& story) {
    auto it = subscriptions_.find(story);
    if (it != subscriptions_.end()) {
        hub_.unsubscribe(session_.shard_context().shard, *it->second);
        subscriptions_.erase(it);
    }
    nlohmann::json reply{{"type", "unsubscribed"}, {"story", story}};
    session_.send_text(reply.dump());
}

void ReaderHandler::on_close() {
    for (auto& [story, sub] : subscriptions_) hub_.unsubscribe(session_.shard_context().shard, *sub);
    subscriptions_.clear();
}

void ReaderHandler::deliver(Subscription&, const FramePtr& frame) { session_.send(frame); }

}  // namespace liveblog
