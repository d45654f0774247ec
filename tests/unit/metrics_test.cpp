#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "unit/prometheus_text.hpp"

using liveblog::Counter;
using liveblog::Gauge;
using liveblog::Histogram;
using liveblog::MetricSample;
using liveblog::MetricsRegistry;
using liveblog::MetricsWriter;
using liveblog::test::parse_prometheus_text;

namespace {

bool contains_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("counter and gauge values render as integers", "[metrics]") {
    MetricsRegistry r;
    Counter& c = r.counter("liveblog_events_total", "Events published.");
    c.inc();
    c.inc(5);
    CHECK(c.value() == 6);

    Gauge& g = r.gauge("liveblog_connections", "Open connections.");
    g.set(10);
    g.add(3);
    g.sub(20);
    CHECK(g.value() == -7);

    const std::string text = r.render();
    CHECK(text ==
          "# HELP liveblog_connections Open connections.\n"
          "# TYPE liveblog_connections gauge\n"
          "liveblog_connections -7\n"
          "# HELP liveblog_events_total Events published.\n"
          "# TYPE liveblog_events_total counter\n"
          "liveblog_events_total 6\n");
    const auto parsed = parse_prometheus_text(text);
    CHECK(parsed.families.at("liveblog_events_total").type == "counter");
    CHECK(parsed.value("liveblog_connections") == -7);
}

TEST_CASE("histogram buckets are inclusive and cumulative", "[metrics]") {
    MetricsRegistry r;
    Histogram& h = r.histogram("liveblog_fanout_seconds", "Fan-out latency.", {0.01, 0.1, 1});
    for (double v : {0.005, 0.01, 0.05, 0.5, 2.0, 100.0}) h.observe(v);
    h.observe(std::numeric_limits<double>::quiet_NaN());  // ignored

    const auto s = h.snapshot();
    CHECK(s.cumulative == std::vector<std::uint64_t>{2, 3, 4, 6});
    CHECK(s.count == 6);
    CHECK(s.sum == Approx(102.565));

    const std::string text = r.render();
    CHECK(contains_line(text, "liveblog_fanout_seconds_bucket{le=\"0.01\"} 2"));
    CHECK(contains_line(text, "liveblog_fanout_seconds_bucket{le=\"0.1\"} 3"));
    CHECK(contains_line(text, "liveblog_fanout_seconds_bucket{le=\"1\"} 4"));
    CHECK(contains_line(text, "liveblog_fanout_seconds_bucket{le=\"+Inf\"} 6"));
    CHECK(contains_line(text, "liveblog_fanout_seconds_count 6"));

    const auto parsed = parse_prometheus_text(text);
    CHECK(parsed.value("liveblog_fanout_seconds_sum") == Approx(102.565));
    CHECK(parsed.value("liveblog_fanout_seconds_bucket", {{"le", "+Inf"}}) ==
          parsed.value("liveblog_fanout_seconds_count"));
}

TEST_CASE("histogram with labels puts le last", "[metrics]") {
    MetricsRegistry r;
    Histogram& h = r.histogram("op_seconds", "Op latency.", {0.005}, {{"op", "publish"}});
    h.observe(0.001);
    const std::string text = r.render();
    CHECK(contains_line(text, "op_seconds_bucket{op=\"publish\",le=\"0.005\"} 1"));
    CHECK(contains_line(text, "op_seconds_bucket{op=\"publish\",le=\"+Inf\"} 1"));
    CHECK(contains_line(text, "op_seconds_sum{op=\"publish\"} 0.001"));
    CHECK(contains_line(text, "op_seconds_count{op=\"publish\"} 1"));
    parse_prometheus_text(text);
}

TEST_CASE("histogram bounds are validated", "[metrics]") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(Histogram({0.1, 0.1}), std::invalid_argument);
    CHECK_THROWS_AS(Histogram({1, 0.5}), std::invalid_argument);
    CHECK_THROWS_AS(Histogram({std::nan("")}), std::invalid_argument);
    CHECK_THROWS_AS(Histogram({inf, 1}), std::invalid_argument);
    CHECK(Histogram({0.5, inf}).bounds() == std::vector<double>{0.5});

    Histogram only_inf({});
    only_inf.observe(3);
    CHECK(only_inf.snapshot().cumulative == std::vector<std::uint64_t>{1});

    const auto defaults = Histogram::default_latency_bounds();
    CHECK_NOTHROW(Histogram(defaults));
}

TEST_CASE("values are formatted so Prometheus parses them", "[metrics]") {
    using liveblog::format_metric_value;
    CHECK(format_metric_value(0.005) == "0.005");
    CHECK(format_metric_value(0.1) == "0.1");
    CHECK(format_metric_value(2.5) == "2.5");
    CHECK(format_metric_value(1) == "1");
    CHECK(format_metric_value(1e6) == "1e+06");
    // Go's 'g' layout: fixed for exponents -4..5, else scientific.
    CHECK(format_metric_value(0.0005) == "0.0005");
    CHECK(format_metric_value(0.00001) == "1e-05");
    CHECK(format_metric_value(100000) == "100000");
    CHECK(format_metric_value(123456789) == "1.23456789e+08");
    CHECK(format_metric_value(-2.5e-7) == "-2.5e-07");
    CHECK(format_metric_value(0) == "0");
    CHECK(format_metric_value(1e300) == "1e+300");
    CHECK(format_metric_value(5e-324) == "5e-324");
    CHECK(format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_metric_value(std::nan("")) == "NaN");
}

TEST_CASE("label values and help text are escaped", "[metrics]") {
    MetricsRegistry r;
    const std::string nasty = "a\"b\\c\nd";
    r.counter("escaped_total", "Help with \\ and\nnewline \"quoted\".", {{"path", nasty}}).inc();
    const std::string text = r.render();
    CHECK(contains_line(text, "# HELP escaped_total Help with \\\\ and\\nnewline \"quoted\"."));
    CHECK(contains_line(text, "escaped_total{path=\"a\\\"b\\\\c\\nd\"} 1"));

    const auto parsed = parse_prometheus_text(text);
    CHECK(parsed.families.at("escaped_total").help == "Help with \\ and\nnewline \"quoted\".");
    CHECK(parsed.value("escaped_total", {{"path", nasty}}) == 1);
}

TEST_CASE("the same name and labels return the same object", "[metrics]") {
    MetricsRegistry r;
    Counter& a = r.counter("hits_total", "Hits.", {{"a", "1"}, {"b", "2"}});
    Counter& b = r.counter("hits_total", "Hits.", {{"b", "2"}, {"a", "1"}});
    Counter& other = r.counter("hits_total", "Hits.", {{"a", "1"}, {"b", "3"}});
    CHECK(&a == &b);
    CHECK(&a != &other);
    CHECK(&r.counter("hits_total", "Hits.", {{"a", "1"}, {"b", "2"}, {"c", ""}}) == &a);
    CHECK(&r.gauge("g", "G.") == &r.gauge("g", "G."));
    CHECK(&r.histogram("h", "H.", {1, 2}) == &r.histogram("h", "H.", {1, 2}));

    // One family, one HELP and TYPE, two series.
    a.inc();
    const std::string text = r.render();
    const auto parsed = parse_prometheus_text(text);
    CHECK(parsed.families.at("hits_total").samples.size() == 2);
    CHECK(parsed.value("hits_total", {{"a", "1"}, {"b", "2"}}) == 1);
}

TEST_CASE("conflicting registrations throw", "[metrics]") {
    MetricsRegistry r;
    r.counter("x_total", "X.");
    CHECK_THROWS_AS(r.gauge("x_total", "X."), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("x_total", "Other help."), std::invalid_argument);

    r.histogram("lat", "Latency.", {1, 2}, {{"op", "a"}});
    CHECK_THROWS_AS(r.histogram("lat", "Latency.", {1, 3}, {{"op", "a"}}), std::invalid_argument);
    CHECK_NOTHROW(r.histogram("lat", "Latency.", {1, 2, std::numeric_limits<double>::infinity()},
                              {{"op", "a"}}));
    CHECK_THROWS_AS(r.counter("lat_count", "C."), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("lat_bucket", "B."), std::invalid_argument);

    r.gauge("q_sum", "Q.");
    CHECK_THROWS_AS(r.histogram("q", "Q.", {1}), std::invalid_argument);
}

TEST_CASE("bad names throw at registration", "[metrics]") {
    MetricsRegistry r;
    for (const char* name : {"", "1abc", "a-b", "a b", "a.b", "\xc3\xa9t\xc3\xa9"}) {
        INFO(name);
        CHECK_THROWS_AS(r.counter(name, "Help."), std::invalid_argument);
    }
    for (const char* name : {"", "1a", "a:b", "a-b", "__reserved"}) {
        INFO(name);
        CHECK_THROWS_AS(r.counter("ok_total", "Help.", {{name, "v"}}), std::invalid_argument);
    }
    CHECK_THROWS_AS(r.counter("ok_total", "Help.", {{"a", "1"}, {"a", "2"}}),
                    std::invalid_argument);
    CHECK_THROWS_AS(r.counter("ok_total", "Help.", {{"a", "\xff"}}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram("h_seconds", "Help.", {1}, {{"le", "1"}}), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("ok_total", ""), std::invalid_argument);

    CHECK_NOTHROW(r.counter("a:b_c", "Help."));
    CHECK_NOTHROW(r.counter(":x", "Help.", {{"_y", "v"}, {"Z9", "v"}}));
    CHECK(liveblog::is_valid_metric_name("_x:y9"));
    CHECK_FALSE(liveblog::is_valid_label_name("x:y"));
}

TEST_CASE("output is ordered by family name, then label set", "[metrics]") {
    MetricsRegistry r;
    r.counter("zeta_total", "Z.").inc();
    r.gauge("alpha", "A.", {{"k", "b"}}).set(2);
    r.gauge("alpha", "A.", {{"k", "a"}}).set(1);
    r.counter("mid_total", "M.").inc();
    const std::string text = r.render();
    const auto a1 = text.find("alpha{k=\"a\"} 1");
    const auto a2 = text.find("alpha{k=\"b\"} 2");
    const auto m = text.find("mid_total 1");
    const auto z = text.find("zeta_total 1");
    REQUIRE(a1 != std::string::npos);
    CHECK(a1 < a2);
    CHECK(a2 < m);
    CHECK(m < z);
    CHECK(text == r.render());
}

TEST_CASE("concurrent updates from four threads add up", "[metrics]") {
    MetricsRegistry r;
    Counter& c = r.counter("ops_total", "Ops.");
    Gauge& g = r.gauge("inflight", "In flight.");
    Histogram& h = r.histogram("op_seconds", "Op time.", {0.001, 0.01});
    constexpr int threads = 4;
    constexpr int per_thread = 50000;

    std::atomic<bool> done{false};
    std::thread scraper([&] {
        // Every scrape must be well-formed while writers race, in particular
        // +Inf == _count.
        while (!done.load()) parse_prometheus_text(r.render());
    });
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                c.inc();
                g.add(2);
                g.sub();
                h.observe(t % 2 ? 0.005 : 0.5);
                // Registration from several threads meets the same object.
                if (i % 10000 == 0) r.counter("ops_total", "Ops.").inc(0);
            }
        });
    }
    for (auto& w : workers) w.join();
    done = true;
    scraper.join();

    CHECK(c.value() == threads * per_thread);
    CHECK(g.value() == threads * per_thread);
    const auto s = h.snapshot();
    CHECK(s.count == threads * per_thread);
    CHECK(s.cumulative == std::vector<std::uint64_t>{0, 2 * per_thread, 4 * per_thread});
    CHECK(s.sum == Approx(2 * per_thread * 0.505));
}

TEST_CASE("collectors add families at scrape time", "[metrics]") {
    MetricsRegistry r;
    r.counter("liveblog_events_total", "Events.").inc(3);
    int scrapes = 0;
    r.add_collector([&](MetricsWriter& w) {
        ++scrapes;
        w.gauge("liveblog_story_subscribers", "Subscribers of the busiest stories.",
                {MetricSample{{{"story", "s2"}}, 7}, MetricSample{{{"story", "s1"}}, 12}});
        w.gauge("liveblog_open_connections", "Open connections.", 19);
        w.counter("liveblog_bytes_sent_total", "Bytes sent.", 1.5e9);
    });
    // A collector may register metrics: it runs outside the registry's lock.
    r.add_collector([&](MetricsWriter&) { r.gauge("registered_late", "Late.").set(1); });

    const std::string text = r.render();
    CHECK(scrapes == 1);
    const auto parsed = parse_prometheus_text(text);
    CHECK(parsed.families.at("liveblog_story_subscribers").type == "gauge");
    CHECK(parsed.value("liveblog_story_subscribers", {{"story", "s1"}}) == 12);
    CHECK(parsed.value("liveblog_story_subscribers", {{"story", "s2"}}) == 7);
    CHECK(text.find("story=\"s1\"") < text.find("story=\"s2\""));
    CHECK(parsed.value("liveblog_open_connections") == 19);
    CHECK(contains_line(text, "liveblog_bytes_sent_total 1.5e+09"));
    CHECK(parsed.families.at("liveblog_bytes_sent_total").type == "counter");
    CHECK(parsed.value("liveblog_events_total") == 3);
    CHECK(text.find("liveblog_bytes_sent_total") < text.find("liveblog_events_total"));
    CHECK(text.find("liveblog_open_connections") < text.find("liveblog_story_subscribers"));

    CHECK(parse_prometheus_text(r.render()).value("registered_late") == 1);
}

TEST_CASE("collector mistakes surface from render", "[metrics]") {
    SECTION("collision with a registered family") {
        MetricsRegistry r;
        r.counter("taken_total", "T.");
        r.add_collector([](MetricsWriter& w) { w.gauge("taken_total", "T.", 1); });
        CHECK_THROWS_AS(r.render(), std::logic_error);
    }
    SECTION("collision with a histogram's sample names") {
        MetricsRegistry r;
        r.histogram("lat", "L.", {1});
        r.add_collector([](MetricsWriter& w) { w.counter("lat_count", "C.", 1); });
        CHECK_THROWS_AS(r.render(), std::logic_error);
    }
    SECTION("bad name") {
        MetricsRegistry r;
        r.add_collector([](MetricsWriter& w) { w.gauge("bad-name", "B.", 1); });
        CHECK_THROWS_AS(r.render(), std::invalid_argument);
    }
    SECTION("repeated label set") {
        MetricsRegistry r;
        r.add_collector([](MetricsWriter& w) {
            w.gauge("dup", "D.", {MetricSample{{{"k", "v"}}, 1}, MetricSample{{{"k", "v"}}, 2}});
        });
        CHECK_THROWS_AS(r.render(), std::invalid_argument);
    }
    SECTION("negative counter") {
        MetricsRegistry r;
        r.add_collector([](MetricsWriter& w) { w.counter("neg_total", "N.", -1); });
        CHECK_THROWS_AS(r.render(), std::invalid_argument);
    }
}

TEST_CASE("an empty registry renders nothing", "[metrics]") {
    MetricsRegistry r;
    CHECK(r.render().empty());
    CHECK(parse_prometheus_text("").families.empty());
}

// ---------------------------------------------------------------------------
// The parser itself
// ---------------------------------------------------------------------------

TEST_CASE("the text parser accepts well-formed input", "[metrics][prometheus_text]") {
    const std::string text =
        "# A plain comment.\n"
        "# HELP http_requests_total Requests.\n"
        "# TYPE http_requests_total counter\n"
        "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
        "http_requests_total{method=\"post\",code=\"400\"} 3 1395066363000\n"
        "# HELP rpc_seconds RPC latency.\n"
        "# TYPE rpc_seconds summary\n"
        "rpc_seconds{quantile=\"0.5\"} 4.773e-05\n"
        "rpc_seconds_sum 1.7560473e+07\n"
        "rpc_seconds_count 2693\n"
        "# TYPE temp gauge\n"
        "# HELP temp Temperature.\n"
        "temp -Inf\n"
        "temp{x=\"a\"} NaN\n"
        "temp{y=\"1\"} +3.5\n"
        "# HELP braces Empty braces.\n"
        "# TYPE braces untyped\n"
        "braces{} 1\n";
    const auto parsed = parse_prometheus_text(text);
    CHECK(parsed.families.size() == 4);
    CHECK(parsed.value("braces") == 1);
    const auto* s = parsed.find("http_requests_total", {{"code", "400"}, {"method", "post"}});
    REQUIRE(s);
    CHECK(s->value == 3);
    CHECK(s->timestamp_ms == 1395066363000);
    CHECK(s->line == 5);
    CHECK(parsed.value("rpc_seconds_count") == 2693);
    CHECK(std::isinf(parsed.value("temp")));
    CHECK(std::isnan(parsed.value("temp", {{"x", "a"}})));
    CHECK(parsed.families.at("temp").samples.size() == 3);
}

TEST_CASE("the text parser rejects malformed input", "[metrics][prometheus_text]") {
    const std::string head = "# HELP x X.\n# TYPE x counter\n";
    const std::string hist = "# HELP h H.\n# TYPE h histogram\n";
    struct Bad {
        const char* why;
        std::string text;
    };
    const std::vector<Bad> cases = {
        {"sample without family", "x 1\n"},
        {"no TYPE", "# HELP x X.\nx 1\n"},
        {"no HELP", "# TYPE x counter\nx 1\n"},
        {"family without TYPE", "# HELP x X.\n"},
        {"empty HELP", "# HELP x\n# TYPE x counter\n"},
        {"two TYPEs", head + "# TYPE x counter\nx 1\n"},
        {"two HELPs", "# HELP x X.\n# HELP x X.\n# TYPE x counter\n"},
        {"TYPE after samples", "# HELP x X.\nx 1\n# TYPE x counter\n"},
        {"unknown type", "# HELP x X.\n# TYPE x meter\n"},
        {"sample of another family", head + "y 1\n"},
        {"family not contiguous", head + "x 1\n# HELP y Y.\n# TYPE y gauge\n# HELP x X.\n"},
        {"repeated series", head + "x{a=\"1\"} 1\nx{a=\"1\"} 2\n"},
        {"repeated series, empty braces", head + "x 1\nx{} 2\n"},
        {"repeated series, empty label", head + "x 1\nx{a=\"\"} 2\n"},
        {"negative counter", head + "x -1\n"},
        {"unquoted label value", head + "x{a=b} 1\n"},
        {"trailing comma", head + "x{a=\"b\",} 1\n"},
        {"unterminated labels", head + "x{a=\"b\" 1\n"},
        {"bad label name", head + "x{1a=\"b\"} 1\n"},
        {"repeated label", head + "x{a=\"1\",a=\"2\"} 1\n"},
        {"invalid escape", head + "x{a=\"\\t\"} 1\n"},
        {"space in labels", head + "x{a=\"b\", c=\"d\"} 1\n"},
        {"word value", head + "x abc\n"},
        {"two dots", head + "x 1.2.3\n"},
        {"hex value", head + "x 0x10\n"},
        {"lowercase inf", head + "x inf\n"},
        {"missing value", head + "x\n"},
        {"trailing space", head + "x 1 \n"},
        {"double space", head + "x  1\n"},
        {"bad timestamp", head + "x 1 1.5\n"},
        {"blank line", head + "\nx 1\n"},
        {"no final newline", head + "x 1"},
        {"bad metric name", "# HELP 1x X.\n# TYPE 1x counter\n"},
        {"bucket without le", hist + "h_bucket 1\nh_sum 1\nh_count 1\n"},
        {"le on _sum", hist + "h_bucket{le=\"+Inf\"} 1\nh_sum{le=\"1\"} 1\nh_count 1\n"},
        {"plain sample in histogram", hist + "h 1\n"},
        {"missing +Inf", hist + "h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"},
        {"not cumulative", hist + "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                                  "h_sum 1\nh_count 1\n"},
        {"le not ascending", hist + "h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n"
                                    "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
        {"+Inf != count", hist + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"},
        {"missing count", hist + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\n"},
        {"missing sum", hist + "h_bucket{le=\"+Inf\"} 2\nh_count 2\n"},
        {"bad le", hist + "h_bucket{le=\"one\"} 2\nh_sum 1\nh_count 2\n"},
    };
    for (const auto& c : cases) {
        INFO(c.why);
        CHECK_THROWS_AS(parse_prometheus_text(c.text), std::runtime_error);
    }

    CHECK_THROWS_WITH(parse_prometheus_text(head + "x 1\nx{a=b} 2\n"),
                      Catch::Contains("line 4"));
    CHECK_THROWS_WITH(parse_prometheus_text(hist + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"),
                      Catch::Contains("line 5"));
}
