#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "store/memory_store.hpp"
#include "store/storage_writer.hpp"

using namespace liveblog;

namespace {
PostEntry post(const std::string& story, const std::string& text) {
    PostEntry p;
    p.story = story;
    p.author = "test";
    p.blocks = nlohmann::json::array({{{"type", "text"}, {"text", text}}});
    return p;
}
CreateStory create(const std::string& id) {
    CreateStory c;
    c.id = id;
    c.title = "t";
    c.lang = "fr";
    return c;
}
}  // namespace

TEST_CASE("StorageWriter acks after commit - in order - and publishes only what committed") {
    MemoryStore store;
    std::vector<Seq> published;
    std::mutex m;
    StorageWriter writer(store, [&](const CommandResult& r) {
        std::lock_guard lock(m);
        if (r.event) published.push_back(r.event->seq);
    });
    std::promise<void> created;
    writer.submit(create("s"), [&](const CommandResult& r) {
        CHECK(r.ok());
        created.set_value();
    });
    created.get_future().wait();

    std::vector<std::promise<CommandResult>> acks(50);
    for (int i = 0; i < 50; ++i)
        writer.submit(post("s", "n" + std::to_string(i)), [&, i](const CommandResult& r) {
            // Durable before acknowledged: the store already has it.
            CHECK(store.changed_since("s", r.seq - 1, 1).size() >= 1);
            acks[i].set_value(r);
        });
    for (int i = 0; i < 50; ++i) CHECK(acks[i].get_future().get().seq == static_cast<Seq>(i + 1));
    writer.stop();
    CHECK(published.size() == 50);
    CHECK(std::is_sorted(published.begin(), published.end()));
    CHECK(writer.batches() <= 51);  // batching may merge; never more commits than commands
}

TEST_CASE("StorageWriter: a failed commit fails its whole batch with store_unavailable") {
    MemoryStore store;
    int published = 0;
    StorageWriter writer(store, [&](const CommandResult&) { ++published; });
    std::promise<void> created;
    writer.submit(create("s"), [&](const CommandResult&) { created.set_value(); });
    created.get_future().wait();
    published = 0;

    store.fail_next_write();
    std::promise<CommandResult> failed;
    writer.submit(post("s", "perdu"), [&](const CommandResult& r) { failed.set_value(r); });
    auto r = failed.get_future().get();
    CHECK(r.code == ErrorCode::store_unavailable);
    CHECK(error_info(r.code).retryable);
    CHECK_FALSE(writer.last_commit_ok());
    CHECK(published == 0);
    CHECK(store.story("s")->seq == 0);  // nothing half-written

    std::promise<CommandResult> ok;
    writer.submit(post("s", "gardé"), [&](const CommandResult& r2) { ok.set_value(r2); });
    CHECK(ok.get_future().get().seq == 1);  // the failed command did not consume a seq
    CHECK(writer.last_commit_ok());
}

TEST_CASE("StorageWriter after stop refuses with shutting_down") {
    MemoryStore store;
    StorageWriter writer(store, [](const CommandResult&) {});
    writer.stop();
    ErrorCode code = ErrorCode::ok;
    writer.submit(create("s"), [&](const CommandResult& r) { code = r.code; });
    CHECK(code == ErrorCode::shutting_down);
}

TEST_CASE("StorageWriter: after a failed commit an idle writer probes and becomes ready again") {
    MemoryStore store;
    StorageWriter writer(store, [](const CommandResult&) {});
    store.fail_next_write();
    std::promise<CommandResult> failed;
    writer.submit(create("s"), [&](const CommandResult& r) { failed.set_value(r); });
    CHECK(failed.get_future().get().code == ErrorCode::store_unavailable);
    CHECK_FALSE(writer.last_commit_ok());
    // No editor writes: the probe (an empty transaction every 2 s) clears it.
    for (int i = 0; i < 100 && !writer.last_commit_ok(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(writer.last_commit_ok());
    CHECK(store.stories().empty());  // the probe wrote nothing
}
