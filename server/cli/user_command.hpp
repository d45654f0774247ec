#pragma once
// `liveblog-server user add`: creates an account from the command line (the
// first admin of a new install; scripts/run's demo admin), writing the
// store the configuration names, whether or not a server runs on it.

#include <string>
#include <vector>

namespace liveblog {

// Returns the exit code: 0 created, 2 refused (the message says why).
int user_command(const std::vector<std::string>& args);

}  // namespace liveblog
