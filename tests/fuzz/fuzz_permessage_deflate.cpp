// permessage-deflate's parsers of a peer's bytes: the extension offer in the
// upgrade request, and a compressed message. Invariants: negotiation answers
// with the one fixed value or nothing; inflating never writes past its bound,
// says too_big exactly when the bound was the reason, and whatever we deflate
// inflates back to itself.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "websocket/permessage_deflate.hpp"

namespace ws = liveblog::ws;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    if (auto answer = ws::negotiate_permessage_deflate(input))
        FUZZ_REQUIRE(*answer == "permessage-deflate; server_no_context_takeover; client_no_context_takeover");

    // The first byte picks the bound (0 to 8 KiB): small ones run the too_big path.
    const std::size_t bound = size ? static_cast<std::size_t>(data[0]) * 32 : 0;
    std::string out;
    bool too_big = false;
    const bool ok = ws::inflate_message(input.substr(size ? 1 : 0), bound, out, too_big);
    FUZZ_REQUIRE(out.size() <= bound);
    if (too_big) FUZZ_REQUIRE(!ok);

    const std::string packed = ws::deflate_message(input);
    std::string back;
    FUZZ_REQUIRE(ws::inflate_message(packed, input.size(), back, too_big));
    FUZZ_REQUIRE(!too_big);
    FUZZ_REQUIRE(back == input);
    return 0;
}
