#pragma once
// One subscriber process: its share of the readers in a single epoll loop.
//
// It connects its readers at once (at most `concurrency` handshakes in
// flight), reports "ready" to the parent, then records every event that
// arrives: latency from the marker, per-reader loss and duplicates, per-event
// latest arrival. The parent steers it with one-line commands on the control
// pipe:
//   S             report the figures since the previous S ("step"), then reset them
//   D             drop every live reader at once (RST) and resume each with
//                 since = last seq seen and the story's epoch (liveblog)
//   P             report the running totals ("progress"), resetting nothing
//   F N [i,j,..]  N events were published, i, j... were refused: report
//                 "final" and exit
// A closed control pipe (the parent is gone) ends the process at once.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "websocket/buffer_pool.hpp"
#include "child_report.hpp"
#include "delivery_tracker.hpp"
#include "histogram.hpp"
#include "load_options.hpp"
#include "ws_reader.hpp"

namespace liveblog::load {

class SubscriberProcess final : private WsReader::Handler {
public:
    struct Share {
        std::uint32_t child = 0;
        std::uint32_t first_reader = 0;  // global reader number of the first one here
        std::uint32_t count = 0;
        std::uint32_t concurrency = 1;   // handshakes in flight in this process
    };

    SubscriberProcess(const LoadOptions& options, std::vector<std::string> stories, Share share, int control_fd,
                      int report_fd);
    ~SubscriberProcess();
    SubscriberProcess(const SubscriberProcess&) = delete;
    SubscriberProcess& operator=(const SubscriberProcess&) = delete;

    // The process's exit status.
    int run();

private:
    enum class Status : std::uint8_t { waiting, inflight, live, failed, closed };
    struct ReaderState {
        std::uint32_t story = 0;
        Status status = Status::waiting;
        bool counted = false;   // live when the first connect phase ended: its missing events are losses
        bool resuming = false;
        std::uint64_t last_seq = 0;
        std::int64_t deadline = 0;  // monotonic: the handshake (and subscribe) must end by then
    };

    void on_open(WsReader& reader) override;
    void on_message(WsReader& reader, std::string_view payload, bool text, std::int64_t recv_ns) override;
    void on_closed(WsReader& reader, std::uint16_t code) override;
    void on_failed(WsReader& reader, std::string_view reason) override;

    void dispatch(std::uint32_t slot, std::uint32_t events);
    void pump_connects();
    void start_one(std::uint32_t slot);
    void became_live(std::uint32_t slot);
    void failed(std::uint32_t slot, std::string_view reason);
    void deliver(std::uint32_t slot, std::string_view payload, std::int64_t recv_ns, bool live);
    void check_deadlines(std::int64_t now);
    bool connect_done() const { return queue_pos_ == queue_.size() && inflight_count_ == 0; }
    void read_control();
    void handle_command(std::string_view line);
    void drop_and_resume();
    std::string subscribe_message(std::uint32_t slot) const;
    ChildReport snapshot(const char* kind);
    bool write_report(const ChildReport& r);
    void progress(std::int64_t now, bool force);

    const LoadOptions& options_;
    std::vector<std::string> stories_;
    Share share_;
    int control_fd_;
    int report_fd_;
    int epoll_fd_ = -1;
    bool liveblog_;
    sockaddr_in server_{};
    std::string host_, path_;
    std::int64_t started_wall_ns_ = 0;

    std::unique_ptr<WsReader[]> readers_;
    std::vector<ReaderState> state_;
    std::vector<std::string> epochs_;  // per story, from `subscribed`
    DeliveryTracker tracker_;
    BufferPool pool_;
    std::vector<char> scratch_;

    std::vector<std::uint32_t> queue_;  // readers to connect, in order
    std::size_t queue_pos_ = 0;
    std::vector<std::uint32_t> inflight_;
    std::uint32_t inflight_count_ = 0;
    std::uint32_t live_ = 0;
    std::int64_t connect_deadline_ = 0;
    bool initial_phase_ = true;
    bool resume_phase_ = false;
    std::int64_t next_progress_ = 0;

    ChildReport totals_;          // cumulative counters and histograms
    Histogram step_latency_;
    std::uint64_t step_deliveries_ = 0;
    std::string control_buffer_;
    bool stop_ = false;
};

}  // namespace liveblog::load
