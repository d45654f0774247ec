#include "support/child_process.hpp"

#include <thread>

#include <signal.h>
#include <sys/wait.h>

namespace liveblog::test {

bool reaped(int pid, std::chrono::steady_clock::duration timeout, int* status) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (waitpid(pid, status, WNOHANG) == pid) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void kill_and_reap(int pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
}

}  // namespace liveblog::test
