#pragma once
// The token signing secret: $LIVEBLOG_SECRET, else the secret file
// (--secret-file), else <data-dir>/secret, generated (32 random bytes, hex,
// mode 0600) the first time. The server and `liveblog-server token` resolve
// it the same way, so a minted token verifies.

#include <string>

namespace liveblog {

// Throws std::runtime_error when a named secret file cannot be read or the
// secret is shorter than 16 bytes.
std::string resolve_secret(const std::string& secret_file, const std::string& data_dir);

}  // namespace liveblog
