#include "common/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "common/utf8.hpp"

namespace liveblog {

// ---------------------------------------------------------------------------
// Names and values
// ---------------------------------------------------------------------------

namespace {

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void bad(std::string what) { throw std::invalid_argument("metrics: " + what); }

void check_name_and_help(std::string_view name, std::string_view help) {
    if (!is_valid_metric_name(name)) bad("invalid metric name '" + std::string(name) + "'");
    // An empty docstring is legal in the format but some parsers reject
    // "# HELP name" without text; requiring one also keeps dashboards readable.
    if (help.empty()) bad("empty help for '" + std::string(name) + "'");
    if (!is_valid_utf8(help)) bad("help of '" + std::string(name) + "' is not UTF-8");
}

// Sorted by label name, so that the same set in any order is the same series
// and output order is deterministic.
MetricLabels canonical_labels(MetricLabels labels, bool histogram) {
    for (const auto& [name, value] : labels) {
        if (!is_valid_label_name(name)) bad("invalid label name '" + name + "'");
        if (name.size() >= 2 && name[0] == '_' && name[1] == '_')
            bad("label name '" + name + "' uses the reserved '__' prefix");
        if (histogram && name == "le") bad("label name 'le' is reserved for histogram buckets");
        if (!is_valid_utf8(value)) bad("value of label '" + name + "' is not UTF-8");
    }
    std::sort(labels.begin(), labels.end());
    for (std::size_t i = 1; i < labels.size(); ++i) {
        if (labels[i].first == labels[i - 1].first)
            bad("label '" + labels[i].first + "' given twice");
    }
    // Prometheus treats an empty value as an absent label: x{a=""} is x.
    std::erase_if(labels, [](const auto& kv) { return kv.second.empty(); });
    return labels;
}

// Every name a family's samples use, plus the family name itself: two
// families must not share any of them, or their samples would be ambiguous.
std::vector<std::string> owned_names(std::string_view name, MetricType type) {
    std::string n(name);
    if (type == MetricType::histogram) return {n, n + "_bucket", n + "_sum", n + "_count"};
    return {n};
}

std::vector<double> normalized_bounds(std::vector<double> bounds) {
    if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity())
        bounds.pop_back();
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i])) bad("histogram bounds must be finite");
        if (i > 0 && !(bounds[i - 1] < bounds[i]))
            bad("histogram bounds must be strictly ascending");
    }
    return bounds;
}

const char* type_name(MetricType type) {
    switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
    }
    return "untyped";
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
    if (name.empty() || !(is_name_start(name[0]) || name[0] == ':')) return false;
    return std::all_of(name.begin() + 1, name.end(),
                       [](char c) { return is_name_start(c) || is_digit(c) || c == ':'; });
}

bool is_valid_label_name(std::string_view name) {
    if (name.empty() || !is_name_start(name[0])) return false;
    return std::all_of(name.begin() + 1, name.end(),
                       [](char c) { return is_name_start(c) || is_digit(c); });
}

// Shortest round-trip digits laid out like Go's strconv.FormatFloat(v, 'g',
// -1, 64), which client_golang uses: bucket bounds then read le="0.0005"
// rather than le="5e-04", matching what dashboards written against other
// exporters select on.
std::string format_metric_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    // Fixed is only used for exponents -4..5, so either layout fits in 64
    // bytes (fixed 5e-324 would need 327).
    char buf[64];
    const char* end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
    const std::string_view sci(buf, static_cast<std::size_t>(end - buf));
    const auto e = sci.find('e');
    int exponent = 0;
    std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                    exponent);
    if (exponent < -4 || exponent >= 6) return std::string(sci);
    end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed).ptr;
    return std::string(buf, static_cast<std::size_t>(end - buf));
}

// ---------------------------------------------------------------------------
// Histogram
// ---------------------------------------------------------------------------

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(normalized_bounds(std::move(upper_bounds))), buckets_(bounds_.size() + 1) {}

void Histogram::observe(double seconds) noexcept {
    if (std::isnan(seconds)) return;
    // First bound >= seconds: buckets are inclusive upper bounds.
    const auto i = static_cast<std::size_t>(
        std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin());
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(seconds, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
    HistogramSnapshot s;
    s.cumulative.reserve(buckets_.size());
    std::uint64_t running = 0;
    for (const auto& b : buckets_) {
        running += b.load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

std::vector<double> Histogram::default_latency_bounds() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// ---------------------------------------------------------------------------
// Text exposition
// ---------------------------------------------------------------------------

namespace {

void append_escaped_help(std::string& out, std::string_view help) {
    for (char c : help) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

void append_escaped_label_value(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

void append_header(std::string& out, std::string_view name, std::string_view help,
                   MetricType type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped_help(out, help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type_name(type);
    out += '\n';
}

// `le` goes last, after the series' own labels, as client libraries emit it.
void append_series(std::string& out, std::string_view name, std::string_view suffix,
                   const MetricLabels& labels, const std::string* le) {
    out += name;
    out += suffix;
    if (!labels.empty() || le) {
        out += '{';
        bool first = true;
        for (const auto& [k, v] : labels) {
            if (!first) out += ',';
            first = false;
            out += k;
            out += "=\"";
            append_escaped_label_value(out, v);
            out += '"';
        }
        if (le) {
            if (!first) out += ',';
            out += "le=\"";
            out += *le;
            out += '"';
        }
        out += '}';
    }
    out += ' ';
}

template <typename Int>
void append_int(std::string& out, Int v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
    out += '\n';
}

void append_double(std::string& out, double v) {
    out += format_metric_value(v);
    out += '\n';
}

void append_histogram(std::string& out, std::string_view name, const MetricLabels& labels,
                      const Histogram& h) {
    const HistogramSnapshot s = h.snapshot();
    const auto& bounds = h.bounds();
    for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
        const std::string le =
            i < bounds.size() ? format_metric_value(bounds[i]) : std::string("+Inf");
        append_series(out, name, "_bucket", labels, &le);
        append_int(out, s.cumulative[i]);
    }
    append_series(out, name, "_sum", labels, nullptr);
    append_double(out, s.sum);
    append_series(out, name, "_count", labels, nullptr);
    append_int(out, s.count);
}

}  // namespace

// ---------------------------------------------------------------------------
// MetricsWriter
// ---------------------------------------------------------------------------

void MetricsWriter::gauge(std::string_view name, std::string_view help,
                          std::vector<MetricSample> samples) {
    add(MetricType::gauge, name, help, std::move(samples));
}

void MetricsWriter::gauge(std::string_view name, std::string_view help, double value) {
    add(MetricType::gauge, name, help, {MetricSample{{}, value}});
}

void MetricsWriter::counter(std::string_view name, std::string_view help,
                            std::vector<MetricSample> samples) {
    add(MetricType::counter, name, help, std::move(samples));
}

void MetricsWriter::counter(std::string_view name, std::string_view help, double value) {
    add(MetricType::counter, name, help, {MetricSample{{}, value}});
}

void MetricsWriter::add(MetricType type, std::string_view name, std::string_view help,
                        std::vector<MetricSample> samples) {
    check_name_and_help(name, help);
    for (auto& s : samples) {
        s.labels = canonical_labels(std::move(s.labels), false);
        if (type == MetricType::counter && !(s.value >= 0))
            bad("counter '" + std::string(name) + "' given a negative or NaN value");
    }
    std::sort(samples.begin(), samples.end(),
              [](const MetricSample& a, const MetricSample& b) { return a.labels < b.labels; });
    for (std::size_t i = 1; i < samples.size(); ++i) {
        if (samples[i].labels == samples[i - 1].labels)
            bad("label set repeated in family '" + std::string(name) + "'");
    }
    families_.push_back(Family{std::string(name), std::string(help), type, std::move(samples)});
}

// ---------------------------------------------------------------------------
// MetricsRegistry
// ---------------------------------------------------------------------------

MetricsRegistry::Family& MetricsRegistry::family_for(std::string_view name,
                                                     std::string_view help, MetricType type) {
    check_name_and_help(name, help);
    if (auto it = families_.find(name); it != families_.end()) {
        if (it->second.type != type)
            bad("'" + std::string(name) + "' already registered as " + type_name(it->second.type));
        if (it->second.help != help)
            bad("'" + std::string(name) + "' already registered with another help text");
        return it->second;
    }
    const auto mine = owned_names(name, type);
    for (const auto& [other, family] : families_) {
        for (const auto& n : owned_names(other, family.type)) {
            if (std::find(mine.begin(), mine.end(), n) != mine.end())
                bad("'" + std::string(name) + "' collides with family '" + other + "'");
        }
    }
    return families_.emplace(std::string(name), Family{std::string(help), type, {}, {}, {}})
        .first->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  MetricLabels labels) {
    labels = canonical_labels(std::move(labels), false);
    std::lock_guard lock(mutex_);
    auto& slot = family_for(name, help, MetricType::counter).counters[std::move(labels)];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, MetricLabels labels) {
    labels = canonical_labels(std::move(labels), false);
    std::lock_guard lock(mutex_);
    auto& slot = family_for(name, help, MetricType::gauge).gauges[std::move(labels)];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      std::vector<double> bounds, MetricLabels labels) {
    labels = canonical_labels(std::move(labels), true);
    bounds = normalized_bounds(std::move(bounds));
    std::lock_guard lock(mutex_);
    auto& family = family_for(name, help, MetricType::histogram);
    auto it = family.histograms.find(labels);
    if (it != family.histograms.end()) {
        if (it->second->bounds() != bounds)
            bad("histogram '" + std::string(name) + "' already registered with other bounds");
        return *it->second;
    }
    auto& slot = family.histograms[std::move(labels)];
    slot = std::make_unique<Histogram>(std::move(bounds));
    return *slot;
}

void MetricsRegistry::add_collector(Collector collector) {
    auto shared = std::make_shared<const Collector>(std::move(collector));
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(shared));
}

std::string MetricsRegistry::render() const {
    std::map<std::string, std::string> blocks;  // family name -> its text
    std::set<std::string> owned;
    std::vector<std::shared_ptr<const Collector>> collectors;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [name, family] : families_) {
            std::string text;
            append_header(text, name, family.help, family.type);
            for (const auto& [labels, c] : family.counters) {
                append_series(text, name, "", labels, nullptr);
                append_int(text, c->value());
            }
            for (const auto& [labels, g] : family.gauges) {
                append_series(text, name, "", labels, nullptr);
                append_int(text, g->value());
            }
            for (const auto& [labels, h] : family.histograms)
                append_histogram(text, name, labels, *h);
            blocks.emplace(name, std::move(text));
            for (auto& n : owned_names(name, family.type)) owned.insert(std::move(n));
        }
        collectors = collectors_;
    }

    MetricsWriter writer;
    for (const auto& collect : collectors) (*collect)(writer);
    for (const auto& family : writer.families_) {
        for (auto& n : owned_names(family.name, family.type)) {
            if (!owned.insert(n).second)
                throw std::logic_error("metrics: collector family '" + family.name +
                                       "' collides with another family on '" + n + "'");
        }
        std::string text;
        append_header(text, family.name, family.help, family.type);
        for (const auto& s : family.samples) {
            append_series(text, family.name, "", s.labels, nullptr);
            append_double(text, s.value);
        }
        blocks.emplace(family.name, std::move(text));
    }

    std::string out;
    for (const auto& [name, text] : blocks) out += text;
    return out;
}

}  // namespace liveblog
