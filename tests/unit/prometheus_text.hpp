#pragma once
// A strict parser for the Prometheus text exposition format 0.0.4, for tests
// that check what /metrics serves.
//
// Stricter than the format requires, on purpose: every family has exactly
// one HELP (non-empty) and one TYPE, both before its samples; a family's
// lines are contiguous; tokens are separated by exactly one space; no blank
// lines, no whitespace inside label braces, no trailing comma; the text ends
// in '\n'. Semantic checks: sample names belong to the current family
// (histograms: _bucket/_sum/_count; summaries: base/_sum/_count), no series
// repeated, counters non-negative, histogram buckets with strictly ascending
// `le` ending in +Inf, non-decreasing counts, +Inf bucket == _count, _sum
// present. Series identity ignores empty-valued labels, as Prometheus does.
// Any violation throws std::runtime_error naming the line.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.hpp"

namespace liveblog::test {

using PromLabels = std::map<std::string, std::string>;

struct PromSample {
    std::string name;
    PromLabels labels;
    double value = 0;
    std::optional<std::int64_t> timestamp_ms;
    std::size_t line = 0;
};

struct PromFamily {
    std::string name;
    std::string help;  // unescaped
    std::string type;  // counter | gauge | histogram | summary | untyped
    std::vector<PromSample> samples;
};

struct PromExposition {
    std::map<std::string, PromFamily> families;

    const PromSample* find(std::string_view sample_name, const PromLabels& labels = {}) const {
        for (const auto& [name, family] : families) {
            for (const auto& s : family.samples) {
                if (s.name == sample_name && s.labels == labels) return &s;
            }
        }
        return nullptr;
    }

    // Throws std::runtime_error when the series is absent.
    double value(std::string_view sample_name, const PromLabels& labels = {}) const {
        if (const PromSample* s = find(sample_name, labels)) return s->value;
        throw std::runtime_error("no sample " + std::string(sample_name));
    }
};

namespace prometheus_text_detail {

[[noreturn]] inline void fail(std::size_t line, const std::string& what) {
    throw std::runtime_error("prometheus text line " + std::to_string(line) + ": " + what);
}

inline bool name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool digit(char c) { return c >= '0' && c <= '9'; }

inline bool valid_metric_name(std::string_view s) {
    if (s.empty() || !(name_start(s[0]) || s[0] == ':')) return false;
    for (char c : s.substr(1)) {
        if (!(name_start(c) || digit(c) || c == ':')) return false;
    }
    return true;
}

// Go's ParseFloat accepts more (hex, "infinity", any case); this accepts the
// decimal forms and the three spellings client libraries emit.
inline std::optional<double> parse_float(std::string_view s) {
    if (s == "+Inf" || s == "Inf") return std::numeric_limits<double>::infinity();
    if (s == "-Inf") return -std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t number_start = !s.empty() && s[0] == '+' ? 1 : 0;  // from_chars rejects '+'
    std::size_t digits = 0;
    while (i < s.size() && digit(s[i])) ++i, ++digits;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && digit(s[i])) ++i, ++digits;
    }
    if (digits == 0) return std::nullopt;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        std::size_t exp_digits = 0;
        while (i < s.size() && digit(s[i])) ++i, ++exp_digits;
        if (exp_digits == 0) return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    double v = 0;
    const char* first = s.data() + number_start;
    const char* last = s.data() + s.size();
    auto [end, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || end != last) return std::nullopt;
    return v;
}

inline std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// Reads `{name="value",...}` starting at text[pos] == '{'; leaves pos after '}'.
inline PromLabels parse_labels(std::string_view text, std::size_t& pos, std::size_t line) {
    PromLabels labels;
    ++pos;  // '{'
    if (pos < text.size() && text[pos] == '}') {
        ++pos;
        return labels;
    }
    while (true) {
        const std::size_t start = pos;
        if (pos >= text.size() || !name_start(text[pos])) fail(line, "expected a label name");
        while (pos < text.size() && (name_start(text[pos]) || digit(text[pos]))) ++pos;
        std::string name(text.substr(start, pos - start));
        if (pos + 1 >= text.size() || text[pos] != '=' || text[pos + 1] != '"')
            fail(line, "expected =\" after label " + name);
        pos += 2;
        std::string value;
        while (true) {
            if (pos >= text.size()) fail(line, "unterminated value of label " + name);
            const char c = text[pos++];
            if (c == '"') break;
            if (c != '\\') {
                value += c;
                continue;
            }
            if (pos >= text.size()) fail(line, "dangling backslash in label " + name);
            const char e = text[pos++];
            if (e == '\\') value += '\\';
            else if (e == '"') value += '"';
            else if (e == 'n') value += '\n';
            else fail(line, std::string("invalid escape \\") + e + " in label " + name);
        }
        if (!labels.emplace(name, std::move(value)).second)
            fail(line, "label " + name + " repeated");
        if (pos >= text.size()) fail(line, "unterminated label set");
        if (text[pos] == '}') {
            ++pos;
            return labels;
        }
        if (text[pos] != ',') fail(line, "expected , or } after label " + name);
        ++pos;
    }
}

inline std::string unescape_help(std::string_view s, std::size_t line) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size()) fail(line, "dangling backslash in HELP");
        if (s[i] == '\\') out += '\\';
        else if (s[i] == 'n') out += '\n';
        else fail(line, std::string("invalid escape \\") + s[i] + " in HELP");
    }
    return out;
}

// Prometheus treats a label with an empty value as absent: x{a=""} is x.
inline PromLabels series_identity(PromLabels labels) {
    std::erase_if(labels, [](const auto& kv) { return kv.second.empty(); });
    return labels;
}

struct FamilyState {
    PromFamily family;
    bool has_help = false;
    bool has_type = false;
    std::set<std::pair<std::string, PromLabels>> series;
    std::size_t last_line = 0;
};

inline void check_histogram(const FamilyState& st) {
    struct Bucket {
        double le;
        double count;
        std::size_t line;
    };
    struct Group {
        std::vector<Bucket> buckets;
        const PromSample* sum = nullptr;
        const PromSample* count = nullptr;
        std::size_t last_line = 0;
    };
    std::map<PromLabels, Group> groups;
    const std::string& base = st.family.name;
    for (const auto& s : st.family.samples) {
        PromLabels key = series_identity(s.labels);
        key.erase("le");
        Group& g = groups[key];
        g.last_line = s.line;
        if (s.name == base + "_bucket") {
            const auto le = parse_float(s.labels.at("le"));
            g.buckets.push_back({*le, s.value, s.line});
        } else if (s.name == base + "_sum") {
            g.sum = &s;
        } else {
            g.count = &s;
        }
    }
    for (const auto& [labels, g] : groups) {
        if (g.buckets.empty()) fail(g.last_line, base + ": series without buckets");
        for (std::size_t i = 1; i < g.buckets.size(); ++i) {
            if (!(g.buckets[i - 1].le < g.buckets[i].le))
                fail(g.buckets[i].line, base + ": le not strictly ascending");
            if (g.buckets[i].count < g.buckets[i - 1].count)
                fail(g.buckets[i].line, base + ": bucket counts not cumulative");
        }
        const Bucket& inf = g.buckets.back();
        if (!std::isinf(inf.le)) fail(inf.line, base + ": last bucket is not le=\"+Inf\"");
        if (!g.count) fail(g.last_line, base + ": missing _count");
        if (!g.sum) fail(g.last_line, base + ": missing _sum");
        if (g.count->value != inf.count)
            fail(g.count->line, base + ": _count differs from the +Inf bucket");
    }
}

inline void close_family(FamilyState& st, std::map<std::string, PromFamily>& out) {
    if (!st.has_type) fail(st.last_line, "family " + st.family.name + " has no TYPE");
    if (!st.has_help) fail(st.last_line, "family " + st.family.name + " has no HELP");
    if (st.family.type == "histogram") check_histogram(st);
    out.emplace(st.family.name, std::move(st.family));
}

}  // namespace prometheus_text_detail

inline PromExposition parse_prometheus_text(std::string_view text) {
    namespace d = prometheus_text_detail;
    PromExposition result;
    std::optional<d::FamilyState> current;
    std::set<std::string> seen;  // every family name started so far

    if (!text.empty() && text.back() != '\n') {
        std::size_t lines = 1;
        for (char c : text) lines += c == '\n';
        d::fail(lines, "text does not end in a newline");
    }
    if (!liveblog::is_valid_utf8(text)) d::fail(1, "text is not UTF-8");

    // A HELP or TYPE line for `name` switches to (or starts) its family.
    auto enter_family = [&](const std::string& name, std::size_t line) -> d::FamilyState& {
        if (current && current->family.name == name) return *current;
        if (seen.count(name)) d::fail(line, "family " + name + " is not contiguous");
        if (current) d::close_family(*current, result.families);
        seen.insert(name);
        current.emplace();
        current->family.name = name;
        return *current;
    };

    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        ++line_no;
        const std::size_t eol = text.find('\n', pos);
        const std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;

        if (line.empty()) d::fail(line_no, "blank line");
        if (line.back() == ' ' || line.back() == '\t') d::fail(line_no, "trailing whitespace");

        if (line[0] == '#') {
            const bool help = line.substr(0, 7) == "# HELP ";
            const bool type = line.substr(0, 7) == "# TYPE ";
            if (!help && !type) continue;  // a plain comment
            const std::string_view rest = line.substr(7);
            const std::size_t space = rest.find(' ');
            const std::string name(rest.substr(0, space));
            if (!d::valid_metric_name(name)) d::fail(line_no, "invalid metric name '" + name + "'");
            if (space == std::string_view::npos || space + 1 == rest.size())
                d::fail(line_no, std::string(help ? "HELP" : "TYPE") + " without text");
            const std::string_view arg = rest.substr(space + 1);
            d::FamilyState& st = enter_family(name, line_no);
            st.last_line = line_no;
            if (!st.family.samples.empty())
                d::fail(line_no, "HELP/TYPE after samples of " + name);
            if (help) {
                if (st.has_help) d::fail(line_no, "second HELP for " + name);
                st.has_help = true;
                st.family.help = d::unescape_help(arg, line_no);
            } else {
                if (st.has_type) d::fail(line_no, "second TYPE for " + name);
                if (arg != "counter" && arg != "gauge" && arg != "histogram" &&
                    arg != "summary" && arg != "untyped")
                    d::fail(line_no, "unknown type '" + std::string(arg) + "'");
                st.has_type = true;
                st.family.type = std::string(arg);
            }
            continue;
        }

        // name{labels} value [timestamp]
        PromSample sample;
        sample.line = line_no;
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
        sample.name = std::string(line.substr(0, i));
        if (!d::valid_metric_name(sample.name))
            d::fail(line_no, "invalid metric name '" + sample.name + "'");
        if (i < line.size() && line[i] == '{') sample.labels = d::parse_labels(line, i, line_no);
        if (i >= line.size() || line[i] != ' ') d::fail(line_no, "expected a space before the value");
        const std::string_view values = line.substr(i + 1);
        const std::size_t space = values.find(' ');
        const auto value = d::parse_float(values.substr(0, space));
        if (!value) d::fail(line_no, "invalid value '" + std::string(values.substr(0, space)) + "'");
        sample.value = *value;
        if (space != std::string_view::npos) {
            sample.timestamp_ms = d::parse_int(values.substr(space + 1));
            if (!sample.timestamp_ms) d::fail(line_no, "invalid timestamp");
        }

        if (!current) d::fail(line_no, "sample " + sample.name + " before any HELP/TYPE");
        d::FamilyState& st = *current;
        const std::string& base = st.family.name;
        if (!st.has_type) d::fail(line_no, "sample " + sample.name + " before TYPE of " + base);
        if (!st.has_help) d::fail(line_no, "sample " + sample.name + " before HELP of " + base);
        const std::string& type = st.family.type;
        const bool is_bucket = sample.name == base + "_bucket";
        const bool is_sum = sample.name == base + "_sum";
        const bool is_count = sample.name == base + "_count";
        bool belongs = sample.name == base;
        if (type == "histogram") belongs = is_bucket || is_sum || is_count;
        else if (type == "summary") belongs = belongs || is_sum || is_count;
        if (!belongs) d::fail(line_no, "sample " + sample.name + " outside its family (in " + base + ")");

        if (type == "histogram") {
            const auto le = sample.labels.find("le");
            if (is_bucket) {
                if (le == sample.labels.end()) d::fail(line_no, "bucket without le");
                if (!d::parse_float(le->second) || std::isnan(*d::parse_float(le->second)))
                    d::fail(line_no, "invalid le '" + le->second + "'");
            } else if (le != sample.labels.end()) {
                d::fail(line_no, "le on " + sample.name);
            }
            if (!is_sum && !(sample.value >= 0))
                d::fail(line_no, "negative or NaN histogram count");
        }
        if (type == "summary" && sample.name == base &&
            sample.labels.find("quantile") == sample.labels.end())
            d::fail(line_no, "summary quantile without quantile label");
        if (type == "counter" && !(sample.value >= 0))
            d::fail(line_no, "negative or NaN counter");
        if (!st.series.emplace(sample.name, d::series_identity(sample.labels)).second)
            d::fail(line_no, "series repeated: " + sample.name);

        st.last_line = line_no;
        st.family.samples.push_back(std::move(sample));
    }
    if (current) d::close_family(*current, result.families);
    return result;
}

}  // namespace liveblog::test
