// The TLS port's first parser of a peer's bytes: a server TlsChannel fed
// whatever arrives (ClientHellos, records, alerts, garbage), in chunks of a
// size the input picks. Invariants: no plaintext before the handshake is
// done; once failed, a channel stays failed and yields nothing; what it
// writes back (alerts, handshake flights) stays small whatever it is fed.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "support/test_certificate.hpp"
#include "tls/tls_channel.hpp"

using namespace liveblog;

namespace {
std::shared_ptr<TlsContext> server_context() {
    static std::shared_ptr<TlsContext> ctx = [] {
        const auto dir = std::filesystem::temp_directory_path() / "liveblog-fuzz-tls";
        std::filesystem::create_directories(dir);
        auto cert = test::make_test_certificate(dir.string(), "fuzz");
        return TlsContext::server(cert.cert_file, cert.key_file);
    }();
    return ctx;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] * 8u;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    TlsChannel server(server_context(), TlsChannel::Role::server);
    std::size_t written = 0;
    bool failed = false;
    while (!input.empty()) {
        const std::string_view piece = input.substr(0, chunk);
        input.remove_prefix(piece.size());
        std::string plain;
        const auto r = server.receive(piece, plain);
        if (failed) FUZZ_REQUIRE(r == TlsChannel::Result::failed && plain.empty());
        if (r == TlsChannel::Result::failed) failed = true;
        if (!plain.empty()) FUZZ_REQUIRE(server.handshake_done());
        written += server.output().size();
        server.consumed(server.output().size());
        FUZZ_REQUIRE(written < 64 * 1024);
        if (r == TlsChannel::Result::closed) break;
    }
    return 0;
}
