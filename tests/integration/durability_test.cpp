// Nothing acknowledged is ever lost: kill -9, restart, graceful shutdown.
#include <catch2/catch.hpp>

#include <map>
#include <thread>

#include "support/editor.hpp"
#include "support/server_process.hpp"

using namespace liveblog::test;

TEST_CASE("kill -9 after 500 acknowledged posts: all 500 are there after restart - same seqs") {
    ServerProcess server({"--max-replay", "1000", "--admin-burst", "1000"});
    std::map<std::string, std::uint64_t> acked;  // entry id -> seq
    {
        Editor editor(server.port());
        editor.create_story("crash");
        // Pipelined, so commits batch the way they do under load.
        for (int i = 1; i <= 500; ++i)
            editor.ws().send({{"type", "post_entry"}, {"story", "crash"}, {"request_id", i},
                              {"idempotency_key", "k" + std::to_string(i)}, {"blocks", text_blocks("n" + std::to_string(i))}});
        for (int i = 1; i <= 500; ++i) {
            json ack = editor.ws().recv_type("ack", 20s);
            acked[ack["entry_id"]] = ack["seq"];
        }
        REQUIRE(acked.size() == 500);
        server.kill9();  // no shutdown path runs
    }
    server.start();

    WsClient reader(server.port());
    reader.send({{"type", "subscribe"}, {"story", "crash"}, {"since", 0}});
    std::map<std::string, std::uint64_t> found;
    std::uint64_t last = 0;
    for (;;) {
        json m = reader.recv(10s);
        if (m["type"] == "subscribed") {
            CHECK(m["seq"] == 500);
            CHECK(m["mode"] == "replay_store");
            break;
        }
        if (m["type"] != "event") continue;
        CHECK(m["seq"].get<std::uint64_t>() > last);
        last = m["seq"];
        found[m["entry"]["id"]] = m["seq"];
    }
    CHECK(found == acked);

    // And the idempotency keys survived too: a retry creates nothing.
    Editor editor(server.port());
    json retry = editor.post("crash", "n7", "k7");
    CHECK(retry["duplicate"] == true);
    CHECK(retry["seq"] == 7);
}

TEST_CASE("SIGTERM: readers are closed with 1001 going away - the server exits 0") {
    ServerProcess server;
    Editor editor(server.port());
    editor.create_story("au-revoir");
    WsClient reader(server.port());
    reader.send({{"type", "subscribe"}, {"story", "au-revoir"}});
    reader.recv_type("subscribed");
    int status = -1;
    std::thread stopper([&] { status = server.terminate(); });
    CHECK(reader.wait_closed(10s) == 1001);
    stopper.join();
    CHECK(status == 0);
}
