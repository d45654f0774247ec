// Cluster mode: several real liveblog-server nodes sharing one real
// redis-server (started here on a free loopback port, with AOF).
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <thread>

#include "common/clock.hpp"
#include "support/editor.hpp"
#include "support/redis_server.hpp"
#include "support/sse_client.hpp"
#include "redis/redis_client.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

namespace {

bool is_event(const json& m) { return m.value("type", "") == "event"; }

ServerProcess::Options node(const RedisServer& redis, std::vector<std::string> extra = {}) {
    ServerProcess::Options o;
    o.args = {"--redis", redis.url(), "--redis-timeout-s", "1", "--presence-interval-s", "0.5"};
    o.args.insert(o.args.end(), extra.begin(), extra.end());
    return o;
}

// Subscribes and reads the catch-up up to `subscribed`: returns its seq, and
// the catch-up's entry texts by seq in `caught_up`.
std::uint64_t follow(WsClient& r, const std::string& story, std::optional<std::uint64_t> since = {},
                     std::map<std::uint64_t, std::string>* caught_up = nullptr) {
    json m{{"type", "subscribe"}, {"story", story}};
    if (since) m["since"] = *since;
    r.send(m);
    for (;;) {
        json msg = r.recv(10s);
        if (msg["type"] == "subscribed") return msg["seq"];
        if (caught_up && is_event(msg) && msg["op"] == "entry.created")
            (*caught_up)[msg["seq"]] = msg["entry"]["blocks"][0]["text"];
    }
}

// Reads events until seq `last`, checking order: returns entry text by seq.
std::map<std::uint64_t, std::string> read_events_until(WsClient& r, std::uint64_t after, std::uint64_t last) {
    std::map<std::uint64_t, std::string> out;
    std::uint64_t prev = after;
    while (prev < last) {
        json e = r.recv_until(is_event, 20s);
        std::uint64_t seq = e["seq"];
        REQUIRE(seq > prev);  // in order, never twice
        prev = seq;
        if (e["op"] == "entry.created") out[seq] = e["entry"]["blocks"][0]["text"];
    }
    return out;
}

bool ready(unsigned short port) { return http_request(port, "GET", "/readyz").status == 200; }

template <class F>
bool eventually(F f, std::chrono::milliseconds within = 10s) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
        if (f()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return f();
}

}  // namespace

TEST_CASE("cluster: 300 entries posted on nodes 1 and 2 reach readers on all three nodes - same order and seqs") {
    RedisServer redis;
    ServerProcess n1(node(redis)), n2(node(redis)), n3(node(redis));
    Editor e1(n1.port()), e2(n2.port());
    e1.create_story("election");
    REQUIRE(eventually([&] { return ready(n2.port()) && ready(n3.port()); }));

    std::vector<std::unique_ptr<WsClient>> readers;
    for (auto* n : {&n1, &n2, &n3})
        for (int i = 0; i < 2; ++i) {
            readers.push_back(std::make_unique<WsClient>(n->port()));
            CHECK(follow(*readers.back(), "election") == 0);
        }

    // Pipelined on both editors at once: the nodes race for seqs.
    for (int i = 1; i <= 300; ++i) {
        Editor& e = i % 2 ? e1 : e2;
        e.ws().send({{"type", "post_entry"}, {"story", "election"}, {"request_id", i},
                     {"blocks", text_blocks("n" + std::to_string(i))}});
    }
    std::map<std::uint64_t, std::string> acked;  // seq -> text
    for (int i = 1; i <= 300; ++i) {
        Editor& e = i % 2 ? e1 : e2;
        json ack = e.ws().recv_type("ack", 20s);
        int n = ack["request_id"];
        REQUIRE(acked.emplace(ack["seq"].get<std::uint64_t>(), "n" + std::to_string(n)).second);  // no seq twice
    }
    REQUIRE(acked.size() == 300);
    CHECK(acked.begin()->first == 1);
    CHECK(acked.rbegin()->first == 300);  // no gap either

    for (auto& r : readers) CHECK(read_events_until(*r, 0, 300) == acked);
    for (auto& r : readers) CHECK(r->no_event_within(200ms));
}

TEST_CASE("cluster: kill -9 of a node - its readers resume on another node with no gap and no duplicate") {
    RedisServer redis;
    ServerProcess n1(node(redis)), n3(node(redis));
    Editor editor(n1.port());
    editor.create_story("relais");
    REQUIRE(eventually([&] { return ready(n3.port()); }));

    WsClient reader(n3.port());
    follow(reader, "relais");
    for (int i = 1; i <= 50; ++i) editor.post("relais", "a" + std::to_string(i));
    auto first = read_events_until(reader, 0, 50);
    CHECK(first.size() == 50);

    n3.kill9();
    for (int i = 51; i <= 100; ++i) editor.post("relais", "b" + std::to_string(i));  // while it is down

    WsClient resumed(n1.port());
    std::map<std::uint64_t, std::string> rest;
    std::uint64_t at = follow(resumed, "relais", 50, &rest);
    auto live = read_events_until(resumed, at, 100);
    rest.insert(live.begin(), live.end());
    CHECK(rest.size() == 50);
    CHECK(rest.begin()->first == 51);
    CHECK(rest.rbegin()->second == "b100");
    CHECK(resumed.no_event_within(200ms));
}

TEST_CASE("cluster: Redis restarts during a posting run - every ack survives - refusals are retryable - readers end complete") {
    RedisServer redis;
    ServerProcess n1(node(redis)), n2(node(redis));
    Editor editor(n1.port());
    editor.create_story("panne");
    REQUIRE(eventually([&] { return ready(n2.port()); }));
    WsClient reader(n2.port());
    follow(reader, "panne");

    std::map<std::string, std::uint64_t> acked;  // text -> seq
    int refused = 0;
    auto post = [&](int i) {
        json r = editor.post("panne", "p" + std::to_string(i), "key-" + std::to_string(i));
        if (r["type"] == "ack") {
            acked["p" + std::to_string(i)] = r["seq"];
        } else {
            CHECK(r["code"] == "store_unavailable");
            CHECK(r["retryable"] == true);
            ++refused;
        }
    };
    int i = 1;
    for (; i <= 40; ++i) post(i);
    redis.kill9();
    for (int k = 0; k < 5; ++k, ++i) post(i);  // Redis is down: refused, never acked
    CHECK(refused >= 5);
    CHECK_FALSE(ready(n1.port()));
    {
        // A reader arriving now on n1 (which follows nothing, so its
        // catch-up reads Redis): on /ws an error and the connection stays;
        // an SSE stream, which cannot be asked again, ends after its error.
        WsClient ws(n1.port());
        ws.send({{"type", "subscribe"}, {"story", "panne"}, {"since", 0}});
        json err = ws.recv_type("error", 10s);
        CHECK(err["code"] == "store_unavailable");
        CHECK(err["story"] == "panne");
        ws.send({{"type", "ping"}});
        CHECK(ws.recv_type("pong")["type"] == "pong");
        SseClient sse(n1.port(), "/sse/stories/panne?since=0");
        REQUIRE(sse.status() == 200);
        json sse_err = sse.next_of_type("error", 10s).json();
        CHECK(sse_err["code"] == "store_unavailable");
        CHECK(sse.ends_within(5s));
    }
    redis.restart();
    REQUIRE(eventually([&] { return ready(n1.port()) && ready(n2.port()); }, 20s));
    for (int k = 0; k < 40; ++k, ++i) post(i);
    CHECK(refused == 5);

    // Every acknowledged entry is in Redis (AOF, fsync always), with its seq.
    WsClient late(n1.port());
    late.send({{"type", "subscribe"}, {"story", "panne"}, {"since", 0}});
    std::map<std::string, std::uint64_t> found;
    for (;;) {
        json m = late.recv(10s);
        if (m["type"] == "subscribed") break;
        if (is_event(m)) found[m["entry"]["blocks"][0]["text"]] = m["seq"];
    }
    CHECK(found == acked);

    // The reader that followed through the outage has the complete story, in order.
    std::map<std::string, std::uint64_t> seen;
    std::uint64_t last = 0, top = acked.empty() ? 0 : std::max_element(acked.begin(), acked.end(), [](auto& a, auto& b) {
                                                          return a.second < b.second;
                                                      })->second;
    while (last < top) {
        json e = reader.recv_until(is_event, 20s);
        REQUIRE(e["seq"].get<std::uint64_t>() > last);
        last = e["seq"];
        seen[e["entry"]["blocks"][0]["text"]] = e["seq"];
    }
    CHECK(seen == acked);
}

TEST_CASE("cluster: a node that lost its feed and finds the stream trimmed catches its readers up from the store") {
    RedisServer redis;
    ServerProcess n1(node(redis, {"--redis-stream-retention", "10"})), n2(node(redis, {"--redis-stream-retention", "10"}));
    Editor editor(n1.port());
    editor.create_story("coupure");
    REQUIRE(eventually([&] { return ready(n2.port()); }));
    WsClient reader(n2.port());
    follow(reader, "coupure");
    editor.post("coupure", "before");
    CHECK(read_events_until(reader, 0, 1).at(1) == "before");

    // Node 2 sleeps through 300 posts, and Redis drops its subscription (and
    // what was buffered for it): the stream keeps only about the last hundred.
    n2.freeze();
    for (int i = 1; i <= 300; ++i) editor.post("coupure", "p" + std::to_string(i));
    liveblog::redis::Connection admin(liveblog::redis::parse_url(redis.url()), 2s);
    CHECK(admin.command({"CLIENT", "KILL", "TYPE", "pubsub"}).integer >= 1);
    CHECK(admin.command({"XLEN", "liveblog:s:coupure:events"}).integer < 300);
    n2.thaw();

    // Every entry reaches the reader once, in seq order (compacted: seqs skip).
    std::set<std::string> texts;
    std::uint64_t last = 1;
    while (last < 301) {
        json e = reader.recv_until(is_event, 20s);
        REQUIRE(e["seq"].get<std::uint64_t>() > last);
        last = e["seq"];
        REQUIRE(texts.insert(e["entry"]["blocks"][0]["text"].get<std::string>()).second);
    }
    CHECK(texts.size() == 300);
    CHECK(reader.no_event_within(300ms));
}

TEST_CASE("cluster: presence counts readers on every node") {
    RedisServer redis;
    ServerProcess n1(node(redis)), n2(node(redis));
    Editor editor(n1.port());
    editor.create_story("foule");
    REQUIRE(eventually([&] { return ready(n2.port()); }));
    WsClient a(n1.port()), b(n2.port()), c(n2.port());
    follow(a, "foule");
    follow(b, "foule");
    follow(c, "foule");
    // Each node's count reaches the other within a few presence intervals.
    json p = a.recv_until([](const json& m) { return m["type"] == "presence" && m["viewers"] == 3; }, 10s);
    CHECK(p["story"] == "foule");
    c.close();
    b.recv_until([](const json& m) { return m["type"] == "presence" && m["viewers"] == 2; }, 10s);
}

TEST_CASE("cluster: two nodes share one port with --reuse-port") {
    RedisServer redis;
    ServerProcess n1(node(redis, {"--reuse-port"}));
    ServerProcess::Options o = node(redis, {"--reuse-port"});
    o.args.insert(o.args.begin(), {"--listen", "127.0.0.1:" + std::to_string(n1.port())});
    ServerProcess n2(o);
    CHECK(n2.port() == n1.port());
    Editor editor(n1.port());
    editor.create_story("partage");
    WsClient r(n1.port());
    follow(r, "partage");
    editor.post("partage", "hello");
    CHECK(r.recv_until(is_event, 10s)["entry"]["blocks"][0]["text"] == "hello");
}

TEST_CASE("cluster: a scheduled entry is published once and on time - with three nodes' schedulers - consoles on every node see the desk") {
    RedisServer redis;
    ServerProcess n1(node(redis)), n2(node(redis)), n3(node(redis));
    Editor e1(n1.port());
    e1.create_story("programme");
    REQUIRE(eventually([&] { return ready(n2.port()) && ready(n3.port()); }));
    Editor e3(n3.port());
    e3.ws().send({{"type", "editing"}, {"story", "programme"}});
    e3.ws().recv_type("desk");
    std::vector<std::unique_ptr<WsClient>> readers;
    for (auto* n : {&n1, &n2, &n3}) {
        readers.push_back(std::make_unique<WsClient>(n->port()));
        follow(*readers.back(), "programme");
    }
    auto desk_change = [](WsClient& ws) {
        return ws.recv_until([](const json& m) { return m.value("type", "").rfind("desk_", 0) == 0; }, 5s);
    };
    std::vector<std::string> ids;
    std::vector<liveblog::Millis> times;
    const liveblog::Millis base = liveblog::now_millis() + 2500;
    for (int i = 0; i < 5; ++i) {
        json saved = e1.command({{"type", "save_draft"}, {"story", "programme"}, {"blocks", text_blocks("p" + std::to_string(i))}});
        ids.push_back(saved["draft_id"]);
        // The console on node 3 hears of node 1's draft.
        CHECK(desk_change(e3.ws())["item"]["id"] == ids.back());
        times.push_back(base + i * 150);
        json s = e1.command({{"type", "schedule_draft"}, {"story", "programme"}, {"draft_id", ids.back()},
                             {"expected_version", 1}, {"publish_at", liveblog::format_iso8601(times.back())}});
        REQUIRE(s["state"] == "scheduled");
        CHECK(desk_change(e3.ws())["item"]["state"] == "scheduled");
    }
    for (auto& r : readers) {
        for (int i = 0; i < 5; ++i) {
            json ev = r->recv_until(is_event, 10s);
            CHECK(ev["op"] == "entry.created");
            CHECK(ev["entry"]["id"] == ids[i]);
            auto at = *liveblog::parse_iso8601(ev["entry"]["published_at"].get<std::string>());
            CHECK(at >= times[i]);
            CHECK(at <= times[i] + 1000);
        }
        CHECK(r->no_event_within(1000ms));  // exactly once: no node published a second time
    }
    for (int i = 0; i < 5; ++i) {
        json gone = desk_change(e3.ws());
        CHECK(gone["type"] == "desk_removed");
    }
    auto body = json::parse(http_request(n2.port(), "GET", "/api/stories/programme/entries?limit=50").body);
    CHECK(body["entries"].size() == 5);
}
