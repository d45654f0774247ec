#pragma once
// RedisStore's Lua scripts: the commit (checks, then writes and publishes
// all, or nothing) and the reads that take more than one command. The key
// layout is the one in redis_store.hpp.

namespace liveblog::redis_scripts {

extern const char* const kCommitScript;
extern const char* const kReadScript;

}  // namespace liveblog::redis_scripts
