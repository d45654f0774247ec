// liveblog-load: the loopback load generator (see load_options.cpp for usage).
// Options -> scenario -> table and RESULT line; nothing else.

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "load_options.hpp"
#include "result.hpp"
#include "scenario.hpp"

using namespace liveblog::load;

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const ParsedOptions parsed = parse_options(args);
    if (parsed.help) {
        std::fputs(usage().c_str(), stdout);
        return 0;
    }
    if (!parsed.error.empty()) {
        std::fprintf(stderr, "liveblog-load: %s\n\n%s", parsed.error.c_str(), usage().c_str());
        return 2;
    }
    const LoadOptions& options = parsed.options;

    std::signal(SIGPIPE, SIG_IGN);
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < options.per_process + 64ull) {
        std::fprintf(stderr, "liveblog-load: --per-process %u needs %u open files; the limit is %llu\n",
                     options.per_process, options.per_process + 64, static_cast<unsigned long long>(files.rlim_cur));
        return 2;
    }

    RunResult result;
    std::string error;
    if (!run_scenario(options, result, error)) {
        std::fprintf(stderr, "liveblog-load: %s\n", error.c_str());
        return 1;
    }
    std::fputs(result_table(result).c_str(), stdout);
    std::printf("RESULT %s\n", result_json(result).c_str());
    return 0;
}
