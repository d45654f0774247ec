#include "accounts/password.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/error_code.hpp"
#include "common/random.hpp"

namespace liveblog {

namespace {
void ensure_sodium() {
    static const int ready = sodium_init();  // thread-safe, once
    if (ready < 0) throw Error{ErrorCode::internal, "libsodium could not start"};
}
}  // namespace

void check_password_rule(std::string_view password) {
    if (password.size() < min_password_bytes)
        throw Error{ErrorCode::bad_request, "password: at least " + std::to_string(min_password_bytes) + " characters"};
    if (password.size() > max_password_bytes)
        throw Error{ErrorCode::bad_request, "password: at most " + std::to_string(max_password_bytes) + " bytes"};
}

std::string hash_password(std::string_view password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw Error{ErrorCode::internal, "password hashing failed (out of memory)"};
    return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
    ensure_sodium();
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string generate_password() {
    static constexpr std::string_view alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    while (out.size() < 20) {
        for (unsigned char b : random_bytes(32)) {
            // Rejection sampling: no bias toward the alphabet's first letters.
            if (b >= 256 - 256 % alphabet.size()) continue;
            out += alphabet[b % alphabet.size()];
            if (out.size() == 20) break;
        }
    }
    return out;
}

}  // namespace liveblog
