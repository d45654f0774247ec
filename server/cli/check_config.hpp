#pragma once
// The checks a config passes before the server starts, and
// `liveblog-server check-config`, which runs all of them without starting
// (an operator's pre-flight before `systemctl restart`).

#include <string>
#include <vector>

#include "common/config.hpp"

namespace liveblog {

// log_level, log_format and log_file, applied; throws std::runtime_error
// naming the key.
void apply_log_settings(const Config& config);
// Both of tls_cert and tls_key or neither, both loadable and matching,
// redirect_listen only with them; throws std::runtime_error naming the key.
void check_tls_settings(const Config& config);
// Every problem `config` has, one line each (empty: it is usable).
std::vector<std::string> config_problems(Config config);
// check-config [--config FILE] [flags]: prints "config OK: ..." and returns 0,
// or one line per problem on stderr and returns 1.
int check_config_command(const std::vector<std::string>& args);

}  // namespace liveblog
