#pragma once
// What one subscriber process saw of the published events: per reader, which
// event indexes arrived (loss and duplicates), and per event, how many of this
// process's readers had it and the latest arrival (fan-out completion once the
// parent takes the maximum over processes).
//
// Contract with the publisher: event i goes to story i % stories, so a reader
// of story s expects exactly the indexes i with i % stories == s; it keeps one
// bit per expected index (local index i / stories).

#include <cstdint>
#include <vector>

namespace liveblog::load {

class DeliveryTracker {
public:
    // Indexes at or past max_events are refused (a foreign or corrupt marker
    // must not make the per-event tables explode).
    explicit DeliveryTracker(std::uint32_t stories, std::uint64_t max_events = 20'000'000);

    // Readers are numbered in the order they are added, from 0.
    std::uint32_t add_reader(std::uint32_t story);

    enum class Outcome : std::uint8_t { first, duplicate, misrouted, out_of_range };
    Outcome record(std::uint32_t reader, std::uint64_t index, std::int64_t latency_us);

    struct Loss {
        std::uint64_t expected = 0;  // reader-event pairs that should have arrived
        std::uint64_t lost = 0;
        std::uint64_t readers_with_loss = 0;
    };
    // Over events [0, published) except `failed` (sorted: posts the server
    // refused), for the readers whose `counted` flag is set.
    Loss loss(std::uint64_t published, const std::vector<std::uint64_t>& failed,
              const std::vector<bool>& counted) const;

    std::uint32_t stories() const { return stories_; }
    std::uint32_t story_of(std::uint32_t reader) const { return readers_[reader].story; }
    // Per event index: the largest latency seen here (-1: no reader here had
    // it) and the number of distinct readers here that had it.
    const std::vector<std::int64_t>& event_max_latency_us() const { return event_max_us_; }
    const std::vector<std::uint32_t>& event_receivers() const { return event_receivers_; }

private:
    struct Reader {
        std::uint32_t story = 0;
        std::vector<std::uint64_t> seen;  // bit k: local index k arrived
    };
    std::uint32_t stories_;
    std::uint64_t max_events_;
    std::vector<Reader> readers_;
    std::vector<std::int64_t> event_max_us_;
    std::vector<std::uint32_t> event_receivers_;
};

}  // namespace liveblog::load
