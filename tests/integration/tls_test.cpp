// The TLS port as clients and attackers meet it: HTTPS, WSS and SSE over
// TLS on the listen port with a certificate made at test time, Secure
// cookies, everything that is not TLS cut without hurting anyone else, the
// SIGHUP reload that changes the certificate for new connections and drops
// none, and the plain-HTTP redirect port.

#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "support/console.hpp"
#include "support/editor.hpp"
#include "support/raw_ws.hpp"
#include "support/server_process.hpp"
#include "support/test_certificate.hpp"
#include "support/tls_client.hpp"
#include "websocket/frame_parser.hpp"

using namespace liveblog;
using namespace liveblog::test;
namespace fs = std::filesystem;

namespace {

struct TlsServer {
    std::string dir = make_temp_dir();
    TestCertificate cert = make_test_certificate(dir, "server");
    std::unique_ptr<ServerProcess> server;

    explicit TlsServer(std::vector<std::string> extra = {}, bool demo = true) {
        std::vector<std::string> args = {"--tls-cert", cert.cert_file, "--tls-key", cert.key_file};
        args.insert(args.end(), extra.begin(), extra.end());
        fs::create_directories(dir + "/data");
        server = std::make_unique<ServerProcess>(ServerProcess::Options{args, dir + "/data", demo});
    }
    ~TlsServer() {
        server.reset();
        fs::remove_all(dir);
    }
    unsigned short port() const { return server->port(); }
};

// A reader on wss://: the TLS client, then RFC 6455 frames parsed as they come.
struct WssReader {
    TlsClient tls;
    ws::FrameParser parser{nullptr, 16u << 20, ws::Role::client};
    Received got;
    std::size_t fed = 0;

    explicit WssReader(unsigned short port) : tls(port) {
        REQUIRE(tls.handshake());
        tls.write(upgrade_request("/ws"));
        REQUIRE(tls.read_until([](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; }));
        REQUIRE(tls.received.rfind("HTTP/1.1 101", 0) == 0);
        fed = tls.received.find("\r\n\r\n") + 4;
    }
    void send(const json& msg) { tls.write(client_frame(ws::Opcode::text, msg.dump())); }
    bool wait_for_type(const std::string& type, std::size_t count = 1, std::chrono::milliseconds timeout = 5s) {
        return tls.read_until(
            [&](const std::string& r) {
                if (r.size() > fed) {
                    parser.feed(std::string_view(r).substr(fed), got);
                    fed = r.size();
                }
                std::size_t n = 0;
                for (auto& m : got.messages)
                    if (json::parse(m).value("type", "") == type) ++n;
                return n >= count;
            },
            timeout);
    }
};

HttpResult post_entry(unsigned short port, const std::string& story, const std::string& text) {
    return https_exchange(port, "POST", "/api/stories/" + story + "/entries",
                          json{{"blocks", text_blocks(text)}}.dump(),
                          {{"Authorization", "Bearer " + make_token("tls-editor", "editor")},
                           {"Content-Type", "application/json"}});
}

}  // namespace

TEST_CASE("tls: the page, the API, WSS and SSE on the TLS port, with a live event on each") {
    TlsServer s;
    auto health = https_exchange(s.port(), "GET", "/healthz");
    CHECK(health.status == 200);
    auto page = https_exchange(s.port(), "GET", "/stories/demo-en-direct");
    CHECK(page.status == 200);
    CHECK(page.body.find("</html>") != std::string::npos);
    {
        TlsClient probe(s.port());
        REQUIRE(probe.handshake());
        CHECK(probe.channel().protocol() == "TLSv1.3");
        CHECK(probe.channel().alpn() == "http/1.1");
        CHECK(probe.channel().peer_certificate_sha256() == s.cert.fingerprint);
    }

    WssReader reader(s.port());
    reader.send({{"type", "subscribe"}, {"story", "demo-en-direct"}});
    REQUIRE(reader.wait_for_type("snapshot"));

    TlsClient sse(s.port());
    REQUIRE(sse.handshake());
    sse.write("GET /sse/stories/demo-en-direct HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(sse.read_until([](const std::string& r) { return r.find("\"type\":\"snapshot\"") != std::string::npos; }));

    auto posted = post_entry(s.port(), "demo-en-direct", "Par TLS, en direct");
    REQUIRE(posted.status == 201);
    CHECK(reader.wait_for_type("event"));
    CHECK(reader.got.messages.back().find("Par TLS, en direct") != std::string::npos);
    CHECK(sse.read_until([](const std::string& r) { return r.find("Par TLS, en direct") != std::string::npos; }));
}

TEST_CASE("tls: the console's session cookie is Secure on the TLS port") {
    TlsServer s({}, false);
    s.server->terminate();
    add_user(s.dir + "/data", "ed@example.org", "Ed", "editor", "correct horse battery");
    s.server->start();
    auto r = https_exchange(s.port(), "POST", "/api/session",
                            json{{"email", "ed@example.org"}, {"password", "correct horse battery"}}.dump(),
                            {{"Content-Type", "application/json"}, {"Origin", "https://127.0.0.1:" + std::to_string(s.port())}});
    REQUIRE(r.status == 200);
    const std::string cookie = r.header("Set-Cookie");
    CHECK(cookie.find("liveblog_session=") != std::string::npos);
    CHECK(cookie.find("; Secure") != std::string::npos);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
}

TEST_CASE("tls: what is not TLS on the TLS port is cut, slow handshakes time out, and everyone else is served") {
    TlsServer s({"--handshake-timeout-s", "1"});
    WssReader reader(s.port());
    reader.send({{"type", "subscribe"}, {"story", "demo-en-direct"}});
    REQUIRE(reader.wait_for_type("snapshot"));

    SECTION("plain HTTP") {
        TlsClient c(s.port());
        c.write_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(c.closed_by_server(3s));
        CHECK(c.received.empty());
    }
    SECTION("random bytes") {
        TlsClient c(s.port());
        std::string junk(3000, '\x16');
        for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 131 + 7);
        c.write_raw(junk);
        CHECK(c.closed_by_server(3s));
    }
    SECTION("a client that never finishes its handshake") {
        TlsClient silent(s.port());  // connects, says nothing
        TlsClient half(s.port());
        half.write_raw(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));  // a ClientHello's first bytes
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(silent.closed_by_server(4s));
        CHECK(half.closed_by_server(4s));
        CHECK(std::chrono::steady_clock::now() - t0 < 3500ms);
    }
    SECTION("a TLS 1.1 client") {
        auto old = TlsContext::insecure_client();
        SSL_CTX_set_min_proto_version(old->native(), TLS1_VERSION);
        SSL_CTX_set_max_proto_version(old->native(), TLS1_1_VERSION);
        TlsClient c(s.port(), old);
        CHECK_FALSE(c.handshake());
    }
    SECTION("a WebSocket frame flood over TLS without a handshake first") {
        TlsClient c(s.port());
        REQUIRE(c.handshake());
        c.write(std::string(64 * 1024, 'A'));  // not HTTP
        CHECK(c.read_until([](const std::string& r) { return r.find("HTTP/1.1 4") != std::string::npos; }, 3s));
    }
    // The reader on the same port heard nothing odd, and the port still answers.
    REQUIRE(post_entry(s.port(), "demo-en-direct", "Toujours là").status == 201);
    CHECK(reader.wait_for_type("event"));
    CHECK(https_exchange(s.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("tls: SIGHUP reloads the certificate for new connections and drops none") {
    TlsServer s;
    WssReader before(s.port());
    before.send({{"type", "subscribe"}, {"story", "demo-en-direct"}});
    REQUIRE(before.wait_for_type("snapshot"));

    auto renewed = make_test_certificate(s.dir, "renewed");
    fs::copy_file(renewed.cert_file, s.cert.cert_file, fs::copy_options::overwrite_existing);
    fs::copy_file(renewed.key_file, s.cert.key_file, fs::copy_options::overwrite_existing);
    s.server->signal(SIGHUP);
    std::string served;
    for (int i = 0; i < 100 && served != renewed.fingerprint; ++i) {
        std::this_thread::sleep_for(20ms);
        TlsClient probe(s.port());
        REQUIRE(probe.handshake());
        served = probe.channel().peer_certificate_sha256();
    }
    CHECK(served == renewed.fingerprint);
    CHECK(s.server->log().find("TLS certificate reloaded") != std::string::npos);

    // The reader from before the reload is still connected and still served.
    REQUIRE(post_entry(s.port(), "demo-en-direct", "Après le rechargement").status == 201);
    CHECK(before.wait_for_type("event"));
    CHECK_FALSE(before.tls.eof);

    // A broken pair is refused, loudly, and the renewed one stays in use.
    std::ofstream(s.cert.key_file, std::ios::trunc) << "-----BEGIN PRIVATE KEY-----\nbroken\n";
    s.server->signal(SIGHUP);
    for (int i = 0; i < 100 && s.server->log().find("previous certificate stays in use") == std::string::npos; ++i)
        std::this_thread::sleep_for(20ms);
    CHECK(s.server->log().find("previous certificate stays in use") != std::string::npos);
    TlsClient after(s.port());
    REQUIRE(after.handshake());
    CHECK(after.channel().peer_certificate_sha256() == renewed.fingerprint);
}

TEST_CASE("tls: the redirect port sends plain HTTP to https, and is refused without TLS") {
    TlsServer s({"--redirect-listen", "127.0.0.1:0"});
    std::smatch m;
    std::string log;
    for (int i = 0; i < 100 && (log = s.server->log()).find("redirecting plain HTTP") == std::string::npos; ++i)
        std::this_thread::sleep_for(20ms);
    REQUIRE(std::regex_search(log, m, std::regex("redirecting plain HTTP on 127\\.0\\.0\\.1:([0-9]+)")));
    const auto redirect_port = static_cast<unsigned short>(std::stoi(m[1]));

    auto get = http_request(redirect_port, "GET", "/stories/demo-en-direct?x=1");
    CHECK(get.status == 301);
    CHECK(get.header("Location") == "https://127.0.0.1:" + std::to_string(s.port()) + "/stories/demo-en-direct?x=1");
    auto post = http_request(redirect_port, "POST", "/api/stories", "{}");
    CHECK(post.status == 308);
    auto bad = raw_http_exchange(redirect_port, "GET / HTTP/1.1\r\nHost: evil.example@x\r\n\r\n");
    CHECK(bad.status == 400);
    CHECK(https_exchange(s.port(), "GET", "/healthz").status == 200);
}
