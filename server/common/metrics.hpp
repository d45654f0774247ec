#pragma once
// A small Prometheus registry rendering text exposition format 0.0.4.
//
// Hot path: Counter, Gauge and Histogram are plain relaxed atomics; callers
// register once (mutex) and keep the returned reference for the registry's
// lifetime. Scrape time: render() reads the atomics and runs the collectors,
// which emit values that are cheaper to compute on demand (per-story
// subscriber counts, open connections).
//
// Names are checked at registration and throw std::invalid_argument:
// metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
// without the reserved "__" prefix, label values valid UTF-8, help non-empty.
// A label with an empty value is dropped, as Prometheus treats it as absent.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace liveblog {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { counter, gauge, histogram };

// Monotonic: there is no reset, since rate() reads any decrease as a restart.
class Counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
public:
    void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(std::int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    void sub(std::int64_t n = 1) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

struct HistogramSnapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;                // == cumulative.back()
};

// Buckets are "le" (value <= bound), as Prometheus defines them. Bounds are
// in seconds, finite and strictly ascending; a trailing +Inf is implied (and
// dropped if given). NaN observations are ignored.
class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);

    void observe(double seconds) noexcept;

    const std::vector<double>& bounds() const noexcept { return bounds_; }

    // The count is derived from the buckets, so +Inf == count holds in every
    // snapshot even while other threads observe; the sum may lag or lead the
    // buckets by the observations in flight.
    HistogramSnapshot snapshot() const;

    // 0.5 ms .. 10 s, for latencies of a push server.
    static std::vector<double> default_latency_bounds();

private:
    std::vector<double> bounds_;
    std::vector<std::atomic<std::uint64_t>> buckets_;  // per bucket, not cumulative
    std::atomic<double> sum_{0};
};

struct MetricSample {
    MetricLabels labels;
    double value;
};

// Handed to collectors during render(): each call emits one whole family.
// Names and labels are checked like registration (std::invalid_argument);
// a label set repeated within a family throws too.
class MetricsWriter {
public:
    void gauge(std::string_view name, std::string_view help, std::vector<MetricSample> samples);
    void gauge(std::string_view name, std::string_view help, double value);
    void counter(std::string_view name, std::string_view help, std::vector<MetricSample> samples);
    void counter(std::string_view name, std::string_view help, double value);

private:
    friend class MetricsRegistry;

    struct Family {
        std::string name;
        std::string help;
        MetricType type;
        std::vector<MetricSample> samples;  // sorted by canonical labels
    };

    MetricsWriter() = default;
    void add(MetricType type, std::string_view name, std::string_view help,
             std::vector<MetricSample> samples);

    std::vector<Family> families_;
};

class MetricsRegistry {
public:
    using Collector = std::function<void(MetricsWriter&)>;

    MetricsRegistry() = default;
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    // The same name and label set (in any order) returns the same object.
    // A name already used with another type or help text, or whose sample
    // names would collide with another family's (histogram "x" owns x_bucket,
    // x_sum and x_count), throws std::invalid_argument.
    Counter& counter(std::string_view name, std::string_view help, MetricLabels labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, MetricLabels labels = {});
    // Re-registering an existing series with different bounds throws.
    // "le" is reserved as a label name.
    Histogram& histogram(std::string_view name, std::string_view help,
                         std::vector<double> bounds, MetricLabels labels = {});

    // Collectors run on the scraping thread, outside the registry's mutex
    // (they may register metrics), possibly concurrently with each other on
    // concurrent scrapes: they must be thread-safe.
    void add_collector(Collector collector);

    // Families ordered by name, series by their sorted label set. Throws
    // std::logic_error if a collector family collides with another family,
    // and passes on whatever a collector throws.
    std::string render() const;

private:
    struct Family {
        std::string help;
        MetricType type;
        std::map<MetricLabels, std::unique_ptr<Counter>> counters;
        std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
        std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
    };

    Family& family_for(std::string_view name, std::string_view help, MetricType type);

    mutable std::mutex mutex_;
    std::map<std::string, Family, std::less<>> families_;
    std::vector<std::shared_ptr<const Collector>> collectors_;
};

// Exposed for tests and for other exposition code.
bool is_valid_metric_name(std::string_view name);
bool is_valid_label_name(std::string_view name);
// Shortest text that reads back as the same double; "+Inf", "-Inf", "NaN".
std::string format_metric_value(double v);

}  // namespace liveblog
