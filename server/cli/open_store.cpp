#include "cli/open_store.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "redis/redis_store.hpp"
#include "store/memory_store.hpp"
#include "store/sqlite_store.hpp"

namespace liveblog {

redis::Endpoint redis_endpoint(const Config& config) {
    redis::Endpoint e = redis::parse_url(config.redis);
    if (!config.redis_password.empty())
        e.password = config.redis_password;
    else if (const char* p = std::getenv("LIVEBLOG_REDIS_PASSWORD"); p && *p && e.password.empty())
        e.password = p;
    return e;
}

std::chrono::milliseconds millis(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::unique_ptr<Store> open_store(const Config& config) {
    if (!config.redis.empty()) {
        RedisStore::Options o;
        o.timeout = millis(config.redis_timeout_s);
        o.stream_retention = config.redis_stream_retention;
        o.idempotency_ttl_s = static_cast<std::uint64_t>(config.redis_idempotency_ttl_s);
        return std::make_unique<RedisStore>(redis_endpoint(config), config.redis_prefix, o);
    }
    if (config.store == "memory") return std::make_unique<MemoryStore>();
    if (config.store != "sqlite") throw std::runtime_error("store: sqlite or memory, not '" + config.store + "'");
    return std::make_unique<SqliteStore>((std::filesystem::path(config.data_dir) / "liveblog.db").string(),
                                         std::max<std::size_t>(1, config.read_threads));
}

}  // namespace liveblog
