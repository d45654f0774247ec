#pragma once
// What the server says about itself: --help, --version and the man page
// (--man, which the build turns into liveblog-server.1). All three come from
// the one option table in common/config, so none can drift from the others.

#include <string>

namespace liveblog {

std::string server_usage();
std::string server_version_line();  // "liveblog-server 0.1.0 (commit 1a2b3c4d5e6f)"
std::string server_manpage();       // roff (man(7))

}  // namespace liveblog
