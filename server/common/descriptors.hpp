#pragma once
// The process's open-files limit. Every reader is a descriptor: a server
// left at the usual soft limit of 1024 turns readers away at a thousand.

#include <cstddef>

namespace liveblog {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit
// in force afterwards (unchanged when raising is not allowed).
std::size_t raise_open_files_limit();

// Descriptors kept back from connections for the store, static files,
// Redis, logs and the spare one that answers at EMFILE.
inline constexpr std::size_t reserved_descriptors = 64;

}  // namespace liveblog
