#pragma once
// The reader protocol on /ws: subscribe / unsubscribe / ping
// (docs/protocol.md, "Readers"). Each subscription is registered in the
// shard's index through the hub; frames the index delivers go straight to
// the session's bounded queue.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/hub.hpp"
#include "protocol/messages.hpp"
#include "transport/ws_session.hpp"

namespace liveblog {

class ReaderHandler : public MessageHandler, public Subscriber {
public:
    // What a subscription that fails (unknown_story, store_unavailable…)
    // does to its connection. On /ws the connection stays: the client
    // subscribes again. An SSE stream carries that one story and cannot be
    // asked again, so it ends after the error; the browser reconnects with
    // Last-Event-ID after `retry:`.
    enum class OnFailedSubscription { keep_connection, end_connection };

    ReaderHandler(Connection& session, Hub& hub, std::size_t max_subscriptions,
                  OnFailedSubscription on_failed = OnFailedSubscription::keep_connection);

    void on_message(std::string_view text) override;
    void on_close() override;
    void deliver(Subscription& sub, const FramePtr& frame) override;
    void subscribe(const SubscribeMessage& m);

private:
    void unsubscribe(const std::string& story);
    void start_live(Subscription& sub, const CatchUp& catch_up);
    void send_error(ErrorCode code, const std::string& message, const std::string& story);
    void subscription_failed(ErrorCode code, const std::string& message, const std::string& story);
    void finish_catch_up(const std::string& story, std::uint64_t generation, const CatchUp& catch_up);

    Connection& session_;
    Hub& hub_;
    std::size_t max_subscriptions_;
    OnFailedSubscription on_failed_;
    std::unordered_map<std::string, std::unique_ptr<Subscription>> subscriptions_;
    std::uint64_t next_generation_ = 1;
};

}  // namespace liveblog
