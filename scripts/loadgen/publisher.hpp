#pragma once
// Posts events at a steady rate over HTTP keep-alive connections, each event
// carrying its marker (publish time and index) in its text.
//
// liveblog: POST /api/stories/{id}/entries with the Bearer token and
//   {"blocks":[{"type":"text","text":"<marker> <padding>"}]}, event i going to
//   story i % stories (the DeliveryTracker contract).
// generic:  POST --pub-url with --body-template, {marker} and {padding}
//   substituted (Nchan, the Node ws reference, the floor).
//
// Each connection has at most one post in flight, so with one connection the
// posts commit in index order. A post whose turn comes while every
// connection is busy goes out late (counted); its marker holds the real send time.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "http_connection.hpp"
#include "load_options.hpp"

namespace liveblog::load {

struct PublishStats {
    double target_rate = 0;
    double seconds = 0;
    std::uint64_t posted = 0;  // requests sent
    std::uint64_t ok = 0;      // 2xx answers
    std::uint64_t errors = 0;  // other answers, transport failures, timeouts
    std::uint64_t late = 0;    // sent more than 5 ms after their turn
    double max_lag_ms = 0;
    std::int64_t first_send_ns = 0, last_send_ns = 0;  // wall clock
    Histogram ack_us;                                  // send -> response
    std::map<int, std::uint64_t> statuses;             // non-2xx answers (0: transport)
    std::string first_error;
    std::vector<std::uint64_t> failed_indexes;         // sorted
    double achieved_rate() const;
    void merge(const PublishStats& o);
};

class Publisher {
public:
    Publisher(const LoadOptions& options, std::vector<std::string> stories);

    bool open(std::string& error);
    // Posts round(rate * seconds) events at `rate`, then waits (at most 10 s)
    // for the answers. `tick` runs between posts, at least every 10 ms.
    PublishStats run(double rate, double seconds, const std::function<void()>& tick);
    std::uint64_t next_index() const { return next_index_; }

    // The body text of event `index` published at `publish_ns`: marker, a space, padding.
    static std::string entry_text(std::uint64_t publish_ns, std::uint64_t index, std::uint32_t entry_bytes);

private:
    struct Slot {
        HttpConnection conn;
        bool busy = false;
        std::uint64_t index = 0;
        std::int64_t sent_mono = 0;
    };
    std::string build_request(std::uint64_t index, std::int64_t publish_ns) const;
    bool send(Slot& slot, std::uint64_t index, PublishStats& stats);
    void finish(Slot& slot, int status, const std::string& body, PublishStats& stats);
    void poll_once(int timeout_ms, PublishStats& stats);

    const LoadOptions& options_;
    std::vector<std::string> stories_;
    Endpoint endpoint_;
    std::string content_type_;
    std::vector<Slot> slots_;
    std::uint64_t next_index_ = 0;
};

}  // namespace liveblog::load
