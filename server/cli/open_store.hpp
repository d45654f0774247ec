#pragma once
// The store a configuration names: Redis in cluster mode, else SQLite in
// data_dir (or memory). Shared by the server and its command-line tools.

#include <chrono>
#include <memory>

#include "common/config.hpp"
#include "redis/redis_client.hpp"
#include "store/store.hpp"

namespace liveblog {

// Seconds of the config as milliseconds.
std::chrono::milliseconds millis(double seconds);
redis::Endpoint redis_endpoint(const Config& config);
std::unique_ptr<Store> open_store(const Config& config);

}  // namespace liveblog
