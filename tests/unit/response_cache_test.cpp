#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "http/response_cache.hpp"

using namespace liveblog;

namespace {

ResponseCache::Rendered rendered(const std::string& body, std::uint64_t seq, std::string epoch = "e") {
    return {encode_response(200, body, "text/plain", "\"" + std::to_string(seq) + "\"", {}, false, {}),
            std::move(epoch), seq, true};
}

// A render that completes later, when the test says.
struct Pending {
    std::vector<ResponseCache::Finish> finishes;
    int started = 0;
    ResponseCache::Render render() {
        return [this](ResponseCache::Finish f) {
            ++started;
            finishes.push_back(std::move(f));
        };
    }
};

}  // namespace

TEST_CASE("read cache: one render for concurrent misses, then hits until the story moves", "[read-cache]") {
    MetricsRegistry metrics;
    ResponseCache cache(1 << 20, metrics);
    Pending p;
    std::vector<std::string> got;
    auto waiter = [&got](const EncodedResponsePtr& r) { got.push_back(r->identity); };
    for (int i = 0; i < 5; ++i) cache.get("page:a", "e", 3, waiter, p.render());
    CHECK(p.started == 1);
    CHECK(got.empty());
    p.finishes[0](rendered("v3", 3));
    CHECK(got == std::vector<std::string>(5, "v3"));

    cache.get("page:a", "e", 3, waiter, p.render());
    CHECK(p.started == 1);  // a hit
    CHECK(got.size() == 6);

    // The story moved: the kept answer is older than asked, so it renders again.
    cache.get("page:a", "e", 4, waiter, p.render());
    CHECK(p.started == 2);
    // A render that read a newer state than asked (cluster: store ahead of the hub)
    // stays fresh for the requests that follow.
    p.finishes[1](rendered("v5", 5));
    cache.get("page:a", "e", 5, waiter, p.render());
    CHECK(p.started == 2);
    CHECK(got.back() == "v5");
    // Another epoch (the story was re-created) never matches.
    cache.get("page:a", "f", 1, waiter, p.render());
    CHECK(p.started == 3);
}

TEST_CASE("read cache: a request after the story moved does not wait for a stale render", "[read-cache]") {
    MetricsRegistry metrics;
    ResponseCache cache(1 << 20, metrics);
    Pending p;
    std::vector<std::string> got;
    auto waiter = [&got](const EncodedResponsePtr& r) { got.push_back(r->identity); };
    cache.get("k", "e", 1, waiter, p.render());
    cache.get("k", "e", 2, waiter, p.render());  // seq 2 was committed meanwhile
    REQUIRE(p.started == 2);
    cache.get("k", "e", 2, waiter, p.render());  // joins the second
    CHECK(p.started == 2);
    p.finishes[1](rendered("v2", 2));
    CHECK(got == std::vector<std::string>{"v2", "v2"});
    // The slow first render finishes last: its waiter gets it, the cache keeps v2.
    p.finishes[0](rendered("v1", 1));
    CHECK(got.back() == "v1");
    cache.get("k", "e", 2, waiter, p.render());
    CHECK(got.back() == "v2");
    CHECK(p.started == 2);
}

TEST_CASE("read cache: errors are answered and not kept - the budget evicts the least recent", "[read-cache]") {
    MetricsRegistry metrics;
    ResponseCache cache(64 * 1024, metrics);
    Pending p;
    int answers = 0;
    auto waiter = [&answers](const EncodedResponsePtr&) { ++answers; };
    cache.get("k", "e", 1, waiter, p.render());
    auto error = rendered("store down", 0);
    error.cacheable = false;
    p.finishes[0](error);
    CHECK(answers == 1);
    CHECK(cache.size() == 0);
    cache.get("k", "e", 1, waiter, p.render());
    CHECK(p.started == 2);

    // Entries of ~10 KiB under a 64 KiB budget: never more than the budget.
    ResponseCache small(64 * 1024, metrics);
    for (int i = 0; i < 20; ++i) {
        small.get("k" + std::to_string(i), "e", 1, waiter,
                  [i](ResponseCache::Finish f) { f(rendered(std::string(10000, 'a' + i % 26), 1)); });
        CHECK(small.bytes() <= 64 * 1024);
    }
    CHECK(small.size() < 20);
    int renders = 0;
    // The newest is still there; the oldest went.
    small.get("k19", "e", 1, waiter, [&renders](ResponseCache::Finish f) { ++renders; f(rendered("x", 1)); });
    CHECK(renders == 0);
    small.get("k0", "e", 1, waiter, [&renders](ResponseCache::Finish f) { ++renders; f(rendered("x", 1)); });
    CHECK(renders == 1);
}

TEST_CASE("read cache: threads asking at once all get an answer, with few renders", "[read-cache]") {
    MetricsRegistry metrics;
    ResponseCache cache(1 << 20, metrics);
    std::atomic<int> renders{0}, answers{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i)
                cache.get("k", "e", static_cast<std::uint64_t>(i / 500), [&](const EncodedResponsePtr&) { ++answers; },
                          [&, i](ResponseCache::Finish f) {
                              ++renders;
                              f(rendered("v", static_cast<std::uint64_t>(i / 500)));
                          });
        });
    for (auto& t : threads) t.join();
    CHECK(answers == 8000);
    CHECK(renders < 100);
}
