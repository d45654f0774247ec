#include "common/random.hpp"

#include <stdexcept>

#include <openssl/rand.h>

namespace liveblog {

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string make_entry_id(Millis now) {
    static constexpr char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford, lower case
    std::string id(16, '0');
    auto t = static_cast<std::uint64_t>(now);
    for (int i = 9; i >= 0; --i) {  // 10 chars x 5 bits = 50 bits of time
        id[static_cast<std::size_t>(i)] = alphabet[t & 31];
        t >>= 5;
    }
    std::string rnd = random_bytes(4);
    std::uint32_t r = 0;
    for (unsigned char c : rnd) r = (r << 8) | c;
    for (int i = 15; i >= 10; --i) {  // 6 chars x 5 bits = 30 random bits
        id[static_cast<std::size_t>(i)] = alphabet[r & 31];
        r >>= 5;
    }
    return id;
}

std::string make_epoch() { return to_hex(random_bytes(4)); }

}  // namespace liveblog
