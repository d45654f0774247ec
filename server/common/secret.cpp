#include "common/secret.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include "common/random.hpp"

namespace liveblog {

namespace {
std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read secret file " + path);
    return trimmed(std::string(std::istreambuf_iterator<char>(in), {}));
}

std::string checked(std::string secret, const std::string& origin) {
    if (secret.size() < 16) throw std::runtime_error("the secret from " + origin + " is shorter than 16 bytes");
    return secret;
}
}  // namespace

std::string resolve_secret(const std::string& secret_file, const std::string& data_dir) {
    if (const char* env = std::getenv("LIVEBLOG_SECRET"); env && *env) return checked(env, "LIVEBLOG_SECRET");
    if (!secret_file.empty()) return checked(read_file(secret_file), secret_file);

    std::filesystem::create_directories(data_dir);
    std::string path = (std::filesystem::path(data_dir) / "secret").string();
    // O_EXCL: if two processes start at once, one creates and both then read the same file.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        std::string secret = to_hex(random_bytes(32)) + "\n";
        bool ok = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
        ok = ::fsync(fd) == 0 && ok;
        ::close(fd);
        if (!ok) throw std::runtime_error("cannot write secret file " + path);
    }
    return checked(read_file(path), path);
}

}  // namespace liveblog
