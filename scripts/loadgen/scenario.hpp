#pragma once
// The composition root of a run: creates the liveblog stories, starts the
// subscriber processes, drives the publisher through the chosen scenario and
// merges the processes' reports into one RunResult.

#include <string>

#include "load_options.hpp"
#include "result.hpp"

namespace liveblog::load {

// False with `error` when the run could not be carried out at all (the
// server is unreachable, a story cannot be created, a process died); a run
// that completed with losses or failures returns true with result.ok false.
bool run_scenario(const LoadOptions& options, RunResult& result, std::string& error);

}  // namespace liveblog::load
