#include "support/cli_run.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

#include "support/server_process.hpp"

namespace liveblog::test {

namespace {
std::string quoted(const std::string& arg) {
    std::string q = "'";
    for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}
}  // namespace

CliRun run_server_cli(const std::vector<std::string>& args, const std::string& env) {
    std::string command = std::string("LIVEBLOG_SECRET=") + test_secret + " " + env + LIVEBLOG_SERVER_BINARY;
    for (const auto& a : args) command += " " + quoted(a);
    command += " 2>&1";
    CliRun r;
    FILE* p = popen(command.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed");
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace liveblog::test
