#pragma once
// What this binary is: the project version (CMakeLists.txt) and the git
// commit it was built from, written at build time (scripts/cmake/write_version.cmake).

namespace liveblog {

const char* liveblog_version();  // "0.1.0"
const char* liveblog_commit();   // "1a2b3c4d5e6f", "1a2b3c4d5e6f-dirty" or "unknown"

}  // namespace liveblog
