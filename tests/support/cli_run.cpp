#include "support/cli_run.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

#include "support/server_process.hpp"

namespace liveblog::test {

std::string shell_quoted(const std::string& arg) {
    std::string q = "'";
    for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

CliRun run_server_cli(const std::vector<std::string>& args, const std::string& env, const std::string& stdin_line) {
    std::string command = stdin_line.empty() ? std::string() : "printf '%s\\n' " + shell_quoted(stdin_line) + " | ";
    command += std::string("LIVEBLOG_SECRET=") + test_secret + " " + env + LIVEBLOG_SERVER_BINARY;
    for (const auto& a : args) command += " " + shell_quoted(a);
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
