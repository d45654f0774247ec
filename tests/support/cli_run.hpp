#pragma once
// Runs liveblog-server as an operator would type it (a subcommand and
// flags), with the tests' secret, and collects what it printed and how it
// exited.

#include <string>
#include <vector>

namespace liveblog::test {

struct CliRun {
    int status = -1;     // exit status; -1 when killed by a signal
    std::string output;  // stdout and stderr together
};

// `liveblog-server ARGS...` (each argument shell-quoted); `env` is prepended
// as given ("LIVEBLOG_X=1 "), after LIVEBLOG_SECRET; `stdin_line`, when
// given, is its standard input (one line: a password for --password-stdin).
CliRun run_server_cli(const std::vector<std::string>& args, const std::string& env = {},
                      const std::string& stdin_line = {});
// `arg` quoted for sh.
std::string shell_quoted(const std::string& arg);

}  // namespace liveblog::test
