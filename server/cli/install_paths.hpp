#pragma once
// Where the server's own files are, found from the executable's location,
// never from the directory it was started in (a service manager, a
// container or a cron job starts it anywhere).
//
//   installed:      <prefix>/bin/liveblog-server  ->  <prefix>/share/liveblog/client
//   build tree:     <checkout>/build/liveblog-server  ->  <checkout>/client-demo

#include <filesystem>
#include <string>

namespace liveblog {

// The directory holding the running executable (/proc/self/exe).
std::filesystem::path executable_dir();

// The first of the candidates above that holds the client files; empty
// when none does.
std::filesystem::path default_static_dir();

// Throws std::runtime_error naming --static-dir when `dir` lacks a file the
// pages need (the reader page's module, the console): a server that would
// answer 404 for them must not start.
void check_static_dir(const std::filesystem::path& dir);

}  // namespace liveblog
