// TlsContext and TlsChannel: two channels wired back to back (no sockets),
// with certificates made at test time; and where the redirect port sends a
// request (RedirectSession::location).

#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "support/test_certificate.hpp"
#include "tls/tls_channel.hpp"
#include "tls/tls_context.hpp"
#include "transport/redirect_session.hpp"

using namespace liveblog;
namespace fs = std::filesystem;

namespace {

struct CertDir {
    fs::path path = fs::temp_directory_path() / ("liveblog-tls-" + std::to_string(std::random_device{}()));
    CertDir() { fs::create_directories(path); }
    ~CertDir() { fs::remove_all(path); }
};

// Moves every byte each side has for the other until neither has any.
void shuttle(TlsChannel& client, TlsChannel& server, std::string& client_plain, std::string& server_plain,
             TlsChannel::Result* server_result = nullptr, TlsChannel::Result* client_result = nullptr) {
    for (int round = 0; round < 20 && (client.output_pending() || server.output_pending()); ++round) {
        if (client.output_pending()) {
            std::string bytes(client.output());
            client.consumed(bytes.size());
            auto r = server.receive(bytes, server_plain);
            if (server_result) *server_result = r;
        }
        if (server.output_pending()) {
            std::string bytes(server.output());
            server.consumed(bytes.size());
            auto r = client.receive(bytes, client_plain);
            if (client_result) *client_result = r;
        }
    }
}

// A client of `client_ctx` shakes hands with a server of `server_ctx`: the
// server's last receive() result (and whether its handshake completed).
TlsChannel::Result server_handshake(const std::shared_ptr<TlsContext>& client_ctx,
                                    const std::shared_ptr<TlsContext>& server_ctx, bool* server_done = nullptr) {
    TlsChannel server(server_ctx, TlsChannel::Role::server);
    TlsChannel client(client_ctx, TlsChannel::Role::client);
    client.start_handshake();
    TlsChannel::Result r = TlsChannel::Result::ok;
    std::string a, b;
    shuttle(client, server, a, b, &r);
    if (server_done) *server_done = server.handshake_done();
    return r;
}

}  // namespace

TEST_CASE("tls: a handshake between two channels agrees TLS 1.3 and http/1.1, then carries data both ways", "[tls]") {
    CertDir dir;
    auto cert = test::make_test_certificate(dir.path.string());
    auto server_ctx = TlsContext::server(cert.cert_file, cert.key_file);
    CHECK_THAT(server_ctx->description(), Catch::Contains("CN=127.0.0.1") && Catch::Contains("expires"));
    TlsChannel server(server_ctx, TlsChannel::Role::server);
    TlsChannel client(TlsContext::insecure_client(), TlsChannel::Role::client);
    CHECK_FALSE(client.send("too early"));  // nothing goes before the handshake

    std::string at_client, at_server;
    client.start_handshake();
    REQUIRE(client.output_pending());
    shuttle(client, server, at_client, at_server);
    REQUIRE(client.handshake_done());
    REQUIRE(server.handshake_done());
    CHECK(server.protocol() == "TLSv1.3");
    CHECK(server.alpn() == "http/1.1");
    CHECK(client.peer_certificate_sha256() == cert.fingerprint);

    REQUIRE(client.send("GET / HTTP/1.1\r\n\r\n"));
    const std::string big(100000, 'x');  // several records
    REQUIRE(server.send(big));
    shuttle(client, server, at_client, at_server);
    CHECK(at_server == "GET / HTTP/1.1\r\n\r\n");
    CHECK(at_client == big);
    CHECK_FALSE(server.output_pending());

    // Ciphertext fed a byte at a time still decrypts (records split across reads).
    REQUIRE(server.send("split"));
    std::string bytes(server.output());
    server.consumed(bytes.size());
    std::string plain;
    for (char c : bytes) REQUIRE(client.receive(std::string_view(&c, 1), plain) == TlsChannel::Result::ok);
    CHECK(plain == "split");

    // close_notify reaches the other side as `closed`.
    client.close_notify();
    TlsChannel::Result r = TlsChannel::Result::ok;
    shuttle(client, server, at_client, at_server, &r);
    CHECK(r == TlsChannel::Result::closed);
}

TEST_CASE("tls: garbage, plain HTTP and old protocol versions fail the handshake with a reason", "[tls]") {
    CertDir dir;
    auto cert = test::make_test_certificate(dir.path.string());
    auto server_ctx = TlsContext::server(cert.cert_file, cert.key_file);
    std::string plain;
    SECTION("plain HTTP on the TLS port") {
        TlsChannel server(server_ctx, TlsChannel::Role::server);
        CHECK(server.receive("GET / HTTP/1.1\r\nHost: x\r\n\r\n", plain) == TlsChannel::Result::failed);
        CHECK_FALSE(server.error().empty());
        CHECK(server.failed());
        CHECK(server.receive("more", plain) == TlsChannel::Result::failed);  // stays failed
        CHECK(plain.empty());
    }
    SECTION("random bytes") {
        std::mt19937 rng(7);
        std::string junk(4096, '\0');
        for (char& c : junk) c = static_cast<char>(rng());
        junk[0] = 0x16;  // looks like a handshake record
        TlsChannel server(server_ctx, TlsChannel::Role::server);
        CHECK(server.receive(junk, plain) == TlsChannel::Result::failed);
    }
    SECTION("a client that speaks at most TLS 1.1") {
        auto old = TlsContext::insecure_client();
        SSL_CTX_set_min_proto_version(old->native(), TLS1_VERSION);
        SSL_CTX_set_max_proto_version(old->native(), TLS1_1_VERSION);
        bool done = true;
        CHECK(server_handshake(old, server_ctx, &done) == TlsChannel::Result::failed);
        CHECK_FALSE(done);
    }
    SECTION("a client that offers only h2") {
        auto h2 = TlsContext::insecure_client();
        static const unsigned char only_h2[] = {2, 'h', '2'};
        SSL_CTX_set_alpn_protos(h2->native(), only_h2, sizeof only_h2);
        CHECK(server_handshake(h2, server_ctx) == TlsChannel::Result::failed);  // no_application_protocol
    }
}

TEST_CASE("tls: certificate files that do not load are refused naming the file", "[tls]") {
    CertDir dir;
    auto one = test::make_test_certificate(dir.path.string(), "one");
    auto two = test::make_test_certificate(dir.path.string(), "two");
    const std::string missing = (dir.path / "missing.pem").string();
    const std::string junk = (dir.path / "junk.pem").string();
    std::ofstream(junk) << "not a certificate\n";
    CHECK_THROWS_WITH(TlsContext::server(missing, one.key_file), Catch::Contains("tls_cert") && Catch::Contains(missing));
    CHECK_THROWS_WITH(TlsContext::server(junk, one.key_file), Catch::Contains("tls_cert") && Catch::Contains(junk));
    CHECK_THROWS_WITH(TlsContext::server(one.cert_file, junk), Catch::Contains("tls_key") && Catch::Contains(junk));
    CHECK_THROWS_WITH(TlsContext::server(one.cert_file, two.key_file),
                      Catch::Contains("is not the key of") && Catch::Contains(one.cert_file));
}

TEST_CASE("tls: a reload swaps the certificate for new channels only, and a bad one keeps the old", "[tls]") {
    CertDir dir;
    auto first = test::make_test_certificate(dir.path.string(), "live");
    const std::string cert_file = first.cert_file, key_file = first.key_file;
    TlsCertificates certs(cert_file, key_file);
    auto before = certs.current();
    TlsChannel open_server(before, TlsChannel::Role::server);

    auto second = test::make_test_certificate(dir.path.string(), "next");
    fs::copy_file(second.cert_file, cert_file, fs::copy_options::overwrite_existing);
    fs::copy_file(second.key_file, key_file, fs::copy_options::overwrite_existing);
    std::string error;
    REQUIRE(certs.reload(error));
    CHECK(certs.current() != before);
    TlsChannel server(certs.current(), TlsChannel::Role::server);
    TlsChannel client(TlsContext::insecure_client(), TlsChannel::Role::client);
    std::string a, b;
    client.start_handshake();
    shuttle(client, server, a, b);
    CHECK(client.peer_certificate_sha256() == second.fingerprint);

    // The channel made before the reload still shakes hands with the first certificate.
    TlsChannel old_client(TlsContext::insecure_client(), TlsChannel::Role::client);
    old_client.start_handshake();
    shuttle(old_client, open_server, a, b);
    CHECK(old_client.peer_certificate_sha256() == first.fingerprint);

    std::ofstream(key_file, std::ios::trunc) << "broken\n";
    auto kept = certs.current();
    CHECK_FALSE(certs.reload(error));
    CHECK_THAT(error, Catch::Contains("tls_key"));
    CHECK(certs.current() == kept);
}

TEST_CASE("redirect port: Location keeps the host and target and refuses what is not a host", "[tls][redirect]") {
    using L = RedirectSession;
    CHECK(L::location("live.example", "/stories/x?y=1", 443) == "https://live.example/stories/x?y=1");
    CHECK(L::location("live.example:80", "/", 8443) == "https://live.example:8443/");
    CHECK(L::location("127.0.0.1:8080", "/editor", 8443) == "https://127.0.0.1:8443/editor");
    CHECK(L::location("[::1]:8080", "/", 443) == "https://[::1]/");
    CHECK_FALSE(L::location("", "/", 443));
    CHECK_FALSE(L::location("evil.example@live.example", "/", 443));
    CHECK_FALSE(L::location("live.example/evil", "/", 443));
    CHECK_FALSE(L::location("live example", "/", 443));
    CHECK_FALSE(L::location("[::1", "/", 443));
    CHECK_FALSE(L::location("live.example", "//evil.example/", 443));  // would read as another host
    CHECK_FALSE(L::location("live.example", "http://evil.example/", 443));
}
