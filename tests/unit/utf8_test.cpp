#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/utf8.hpp"

using liveblog::is_valid_utf8;

namespace {

struct Utf8Case {
    const char* name;
    std::string bytes;
    bool valid;
};

std::string ascii(std::size_t n) { return std::string(n, 'a'); }

std::string encode(char32_t cp) {
    std::string out;
    liveblog::append_utf8(out, cp);
    return out;
}

// A deliberately naive reference for one sequence of exactly n bytes:
// decode by the bit pattern, then apply RFC 3629's value rules.
bool reference_valid_sequence(const unsigned char* b, int n) {
    int length;
    char32_t cp;
    if (b[0] < 0x80) {
        length = 1;
        cp = b[0];
    } else if ((b[0] & 0xE0) == 0xC0) {
        length = 2;
        cp = b[0] & 0x1F;
    } else if ((b[0] & 0xF0) == 0xE0) {
        length = 3;
        cp = b[0] & 0x0F;
    } else if ((b[0] & 0xF8) == 0xF0) {
        length = 4;
        cp = b[0] & 0x07;
    } else {
        return false;
    }
    if (length != n) return false;
    for (int i = 1; i < n; ++i) {
        if ((b[i] & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (b[i] & 0x3F);
    }
    static constexpr char32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[length]) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    return cp <= 0x10FFFF;
}

}  // namespace

TEST_CASE("is_valid_utf8: table of sequences", "[utf8]") {
    const std::vector<Utf8Case> cases = {
        {"empty", "", true},
        {"ascii", "hello, world", true},
        {"embedded NUL is still UTF-8", std::string("a\0b", 3), true},
        {"U+0080", "\xC2\x80", true},
        {"e acute", "\xC3\xA9", true},
        {"U+07FF", "\xDF\xBF", true},
        {"U+0800", "\xE0\xA0\x80", true},
        {"euro sign", "\xE2\x82\xAC", true},
        {"U+D7FF (below surrogates)", "\xED\x9F\xBF", true},
        {"U+E000 (above surrogates)", "\xEE\x80\x80", true},
        {"U+FFFF", "\xEF\xBF\xBF", true},
        {"U+10000", "\xF0\x90\x80\x80", true},
        {"emoji", "\xF0\x9F\x98\x80", true},
        {"U+10FFFF", "\xF4\x8F\xBF\xBF", true},
        {"French text", "\xC2\xAB Ça va, l\xE2\x80\x99\xC3\xA9t\xC3\xA9 ? \xC2\xBB", true},
        {"multibyte right after an 8-byte ASCII run", ascii(8) + "\xC3\xA9" + ascii(9), true},
        {"multibyte straddling the 8-byte window", ascii(7) + "\xE2\x82\xAC" + ascii(16), true},
        {"long ASCII", ascii(1000), true},

        {"lone continuation 80", "\x80", false},
        {"lone continuation BF", "\xBF", false},
        {"continuation after ASCII run", ascii(16) + "\x80", false},
        {"overlong NUL C0 80", "\xC0\x80", false},
        {"overlong C1 BF", "\xC1\xBF", false},
        {"overlong 3-byte E0 80 80", "\xE0\x80\x80", false},
        {"overlong 3-byte E0 9F BF", "\xE0\x9F\xBF", false},
        {"overlong 4-byte F0 80 80 80", "\xF0\x80\x80\x80", false},
        {"overlong 4-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF", false},
        {"surrogate D800", "\xED\xA0\x80", false},
        {"surrogate DFFF", "\xED\xBF\xBF", false},
        {"surrogate pair as CESU-8", "\xED\xA0\xBD\xED\xB8\x80", false},
        {"U+110000", "\xF4\x90\x80\x80", false},
        {"F5 lead", "\xF5\x80\x80\x80", false},
        {"FE", "\xFE", false},
        {"FF", "\xFF", false},
        {"truncated 2-byte", "\xC3", false},
        {"truncated 3-byte", "\xE2\x82", false},
        {"truncated 4-byte", "\xF0\x9F\x98", false},
        {"truncated after a long ASCII run", ascii(15) + "\xE2\x82", false},
        {"bad second byte", "\xC3\x28", false},
        {"bad second byte of 3", "\xE2\x28\xA1", false},
        {"bad third byte of 3", "\xE2\x82\x28", false},
        {"bad third byte of 4", "\xF0\x9F\x28\x80", false},
        {"bad fourth byte of 4", "\xF0\x9F\x98\x28", false},
        {"5-byte form", "\xF8\x88\x80\x80\x80", false},
        {"invalid in the middle of valid text", "caf\xC3\xA9 \xC3 ok", false},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(is_valid_utf8(c.bytes) == c.valid);
    }
}

TEST_CASE("is_valid_utf8: every scalar value encodes valid - every surrogate invalid", "[utf8]") {
    std::size_t wrong = 0;
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        if (is_valid_utf8(encode(cp)) == surrogate) ++wrong;
    }
    CHECK(wrong == 0);
}

TEST_CASE("is_valid_utf8: agrees with a naive decoder on all 1- - 2- and 3-byte inputs", "[utf8]") {
    std::size_t mismatches = 0;
    unsigned char b[3];
    for (unsigned x = 0; x < 256; ++x) {
        b[0] = static_cast<unsigned char>(x);
        const std::string_view one(reinterpret_cast<const char*>(b), 1);
        if (is_valid_utf8(one) != reference_valid_sequence(b, 1)) ++mismatches;
        for (unsigned y = 0; y < 256; ++y) {
            b[1] = static_cast<unsigned char>(y);
            const std::string_view two(reinterpret_cast<const char*>(b), 2);
            // Two bytes are valid either as one sequence or as two ASCII bytes.
            const bool ref2 = reference_valid_sequence(b, 2) || (x < 0x80 && y < 0x80);
            if (is_valid_utf8(two) != ref2) ++mismatches;
            if (x < 0xE0 || x > 0xEF) continue;  // 3-byte leads only: enough, and fast
            for (unsigned z = 0; z < 256; ++z) {
                b[2] = static_cast<unsigned char>(z);
                const std::string_view three(reinterpret_cast<const char*>(b), 3);
                if (is_valid_utf8(three) != reference_valid_sequence(b, 3)) ++mismatches;
            }
        }
    }
    CHECK(mismatches == 0);
}
