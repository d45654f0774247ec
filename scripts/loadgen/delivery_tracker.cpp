#include "delivery_tracker.hpp"

#include <algorithm>
#include <bit>

namespace liveblog::load {

DeliveryTracker::DeliveryTracker(std::uint32_t stories, std::uint64_t max_events)
    : stories_(std::max<std::uint32_t>(stories, 1)), max_events_(max_events) {}

std::uint32_t DeliveryTracker::add_reader(std::uint32_t story) {
    readers_.push_back(Reader{story % stories_, {}});
    return static_cast<std::uint32_t>(readers_.size() - 1);
}

DeliveryTracker::Outcome DeliveryTracker::record(std::uint32_t reader, std::uint64_t index, std::int64_t latency_us) {
    if (index >= max_events_) return Outcome::out_of_range;
    Reader& r = readers_[reader];
    if (index % stories_ != r.story) return Outcome::misrouted;
    const std::uint64_t local = index / stories_;
    const std::size_t word = static_cast<std::size_t>(local >> 6);
    const std::uint64_t bit = std::uint64_t{1} << (local & 63);
    if (word >= r.seen.size()) r.seen.resize(std::max<std::size_t>(word + 1, r.seen.size() * 2), 0);
    if (r.seen[word] & bit) return Outcome::duplicate;
    r.seen[word] |= bit;
    const auto i = static_cast<std::size_t>(index);
    if (i >= event_max_us_.size()) {
        const std::size_t n = std::max<std::size_t>({i + 1, event_max_us_.size() * 2, 1024});
        event_max_us_.resize(n, -1);
        event_receivers_.resize(n, 0);
    }
    event_max_us_[i] = std::max(event_max_us_[i], latency_us);
    ++event_receivers_[i];
    return Outcome::first;
}

DeliveryTracker::Loss DeliveryTracker::loss(std::uint64_t published, const std::vector<std::uint64_t>& failed,
                                            const std::vector<bool>& counted) const {
    Loss out;
    // Expected events per story: indexes below `published` of that story, minus refused posts.
    std::vector<std::uint64_t> per_story(stories_, 0);
    for (std::uint32_t s = 0; s < stories_; ++s)
        per_story[s] = published > s ? (published - s - 1) / stories_ + 1 : 0;
    for (std::uint64_t f : failed)
        if (f < published) --per_story[f % stories_];

    for (std::size_t r = 0; r < readers_.size(); ++r) {
        if (r >= counted.size() || !counted[r]) continue;
        const Reader& rd = readers_[r];
        const std::uint64_t s = rd.story;
        const std::uint64_t bound = published > s ? (published - s - 1) / stories_ + 1 : 0;  // local indexes < bound
        std::uint64_t seen = 0;
        const std::size_t full_words = static_cast<std::size_t>(bound >> 6);
        for (std::size_t w = 0; w < std::min(full_words, rd.seen.size()); ++w) seen += static_cast<std::uint64_t>(std::popcount(rd.seen[w]));
        if ((bound & 63) && full_words < rd.seen.size())
            seen += static_cast<std::uint64_t>(std::popcount(rd.seen[full_words] & ((std::uint64_t{1} << (bound & 63)) - 1)));
        for (std::uint64_t f : failed) {  // a refused post that arrived anyway is not counted as seen
            if (f >= published || f % stories_ != s) continue;
            const std::uint64_t local = f / stories_;
            const std::size_t w = static_cast<std::size_t>(local >> 6);
            if (w < rd.seen.size() && (rd.seen[w] >> (local & 63)) & 1) --seen;
        }
        const std::uint64_t expected = per_story[s];
        out.expected += expected;
        if (seen < expected) {
            out.lost += expected - seen;
            ++out.readers_with_loss;
        }
    }
    return out;
}

}  // namespace liveblog::load
