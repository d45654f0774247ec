#pragma once
// Waiting for and ending the child processes tests start (liveblog-server,
// redis-server).

#include <chrono>

namespace liveblog::test {

// Waits for child `pid` to exit, up to `timeout`; true if it did (it is then
// reaped and `*status` is its wait status).
bool reaped(int pid, std::chrono::steady_clock::duration timeout, int* status);

// SIGKILL, then waits for the child and reaps it.
void kill_and_reap(int pid);

}  // namespace liveblog::test
