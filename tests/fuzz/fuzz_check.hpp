#pragma once
// How a harness reports a broken invariant: the expression and line on
// stderr, then a trap, which libFuzzer (and the replay driver, by dying)
// counts as a crash. assert() would vanish under NDEBUG.

#include <cstdio>

#define FUZZ_REQUIRE(cond)                                                                              \
    do {                                                                                                \
        if (!(cond)) {                                                                                  \
            std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);     \
            __builtin_trap();                                                                           \
        }                                                                                               \
    } while (0)
