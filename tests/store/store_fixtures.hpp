#pragma once
// The stores under test, one fixture each: STORE_TEST runs a test case
// against the memory, SQLite and Redis stores alike.

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "common/random.hpp"
#include "redis/redis_store.hpp"
#include "store/memory_store.hpp"
#include "store/sqlite_store.hpp"
#include "support/redis_server.hpp"

namespace liveblog {

// A fresh directory under the system temp dir, removed with its contents.
struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("liveblog-store-test-" + to_hex(random_bytes(8)));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// One fixture per store; TEMPLATE_TEST_CASE instantiates the suite for each.
struct MemoryFixture {
    std::unique_ptr<MemoryStore> impl = std::make_unique<MemoryStore>();
    Store& store() { return *impl; }
    void fail_next_write() { impl->fail_next_write(); }
    void reopen() {}  // the state lives in the object; nothing to reopen
};

struct SqliteFixture {
    TempDir dir;
    std::string path = (dir.path / "data" / "liveblog.db").string();  // data/ does not exist yet
    std::unique_ptr<SqliteStore> impl = std::make_unique<SqliteStore>(path);
    Store& store() { return *impl; }
    void fail_next_write() { impl->fail_next_write(); }
    void reopen() {
        impl.reset();
        impl = std::make_unique<SqliteStore>(path);
    }
};

// One redis-server for the whole test binary, started on first use (from the
// main thread: see RedisServer); each fixture keeps to a key prefix of its own.
inline test::RedisServer& shared_redis() {
    static test::RedisServer server;
    return server;
}

struct RedisFixture {
    std::string prefix = "liveblog-test:" + to_hex(random_bytes(6)) + ":";
    std::unique_ptr<RedisStore> impl = open();
    Store& store() { return *impl; }
    void fail_next_write() { impl->fail_next_write(); }
    void reopen() {
        impl.reset();
        impl = open();
    }
    // Another RedisStore on the same data: what a second node sees.
    std::unique_ptr<RedisStore> open() const {
        return std::make_unique<RedisStore>(redis::parse_url(shared_redis().url()), prefix);
    }
};

#define STORE_TEST(name) TEMPLATE_TEST_CASE(name, "[store]", MemoryFixture, SqliteFixture, RedisFixture)

}  // namespace liveblog
