// libFuzzer harness: an HTTP/1.1 connection's bytes, as HttpSession reads
// them (transport/http_session.cpp, do_read): a Beast request_parser with the
// server's limits, one request after another from the same buffer, as on a
// keep-alive connection with pipelining. Each request that parses whole goes
// through the request handling that needs no running server: the framing
// check (http/request_framing), path and query parsing (http/http_api),
// percent-decoding (http/url), static file resolution (http/static_files) on
// a scratch tree, ETag matching (http/responses) and the WebSocket key check
// (websocket/handshake). The stream stops where the server would stop
// reading: a parse error, a framing problem (400, connection closed), or a
// request that does not keep the connection alive.
//
// What must hold:
//  - when framing_problem() finds nothing, Beast framed the body the one way
//    every proxy would: by Content-Length when that is given, chunked when
//    Transfer-Encoding is, and no body at all otherwise (no smuggling);
//  - a session cookie's value has no ';'; an API token that parses prints
//    back as itself; a route match has non-empty parameters and no Allow;
//  - split_path never yields an empty segment; percent_decode never grows
//    its input and leaves text without '%' alone; query_param refuses only
//    with bad_request;
//  - resolve_static_path only ever returns a canonical regular file strictly
//    inside the root: never the root's parent, never through a symlink that
//    leaves it, never a hidden file.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "common/error_code.hpp"
#include "fuzz_check.hpp"
#include "accounts/credentials.hpp"
#include "http/http_api.hpp"
#include "http/router.hpp"
#include "http/request_framing.hpp"
#include "http/responses.hpp"
#include "http/static_files.hpp"
#include "http/url.hpp"
#include "websocket/handshake.hpp"

namespace http = boost::beast::http;
namespace fs = std::filesystem;

namespace {

// As HttpSession::do_read.
constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t body_limit = 1 << 20;

// A scratch static root made once per process:
//   <base>/outside.txt            a file next to the root, which must never be served
//   <base>/root/app.js, index.html, css/site.css, .hidden, dir/
//   <base>/root/link-in  -> app.js          stays inside: may be served
//   <base>/root/link-out -> ../outside.txt  leaves the root: never served
//   <base>/root/up       -> ..              leaves the root: never served through
class StaticTree {
public:
    StaticTree() {
        std::string tmpl = (fs::temp_directory_path() / "liveblog-fuzz-static-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) std::abort();
        base_ = tmpl;
        root_ = base_ / "root";
        fs::create_directories(root_ / "css");
        fs::create_directories(root_ / "dir");
        write(base_ / "outside.txt");
        write(root_ / "app.js");
        write(root_ / "index.html");
        write(root_ / "css" / "site.css");
        write(root_ / ".hidden");
        fs::create_symlink("app.js", root_ / "link-in");
        fs::create_symlink("../outside.txt", root_ / "link-out");
        fs::create_directory_symlink("..", root_ / "up");
        canonical_root_ = fs::canonical(root_).string() + "/";
    }
    ~StaticTree() {
        std::error_code ec;
        fs::remove_all(base_, ec);
    }

    const fs::path& root() const { return root_; }

    void check(std::string_view url_path) const {
        const auto resolved = liveblog::resolve_static_path(root_, url_path);
        if (!resolved) return;
        const std::string p = resolved->string();
        FUZZ_REQUIRE(p.size() > canonical_root_.size() && p.compare(0, canonical_root_.size(), canonical_root_) == 0);
        std::error_code ec;
        FUZZ_REQUIRE(fs::is_regular_file(*resolved, ec) && !ec);
        FUZZ_REQUIRE(fs::canonical(*resolved, ec) == *resolved && !ec);
        FUZZ_REQUIRE(resolved->filename() != ".hidden");
    }

private:
    static void write(const fs::path& p) { std::ofstream(p) << "x\n"; }

    fs::path base_, root_;
    std::string canonical_root_;
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

void check_percent_decode(std::string_view in, bool plus_is_space) {
    const auto out = liveblog::percent_decode(in, plus_is_space);
    if (!out) {
        FUZZ_REQUIRE(in.find('%') != std::string_view::npos);
        return;
    }
    FUZZ_REQUIRE(out->size() <= in.size());
    if (in.find('%') == std::string_view::npos && !plus_is_space) FUZZ_REQUIRE(*out == in);
}

// The body Beast read must be the one the framing headers announce.
void check_framing(const liveblog::HttpRequest& req) {
    const auto problem = liveblog::framing_problem(req);
    if (problem) {
        FUZZ_REQUIRE(!problem->empty());
        return;
    }
    const auto te = req.find(http::field::transfer_encoding);
    const auto cl = req.find(http::field::content_length);
    if (te != req.end()) {
        FUZZ_REQUIRE(equals_ignoring_case(sv(te->value()), "chunked"));
        FUZZ_REQUIRE(cl == req.end());
        FUZZ_REQUIRE(req.chunked());
        FUZZ_REQUIRE(req.version() >= 11);
    } else if (cl != req.end()) {
        const std::string_view v = sv(cl->value());
        FUZZ_REQUIRE(!v.empty() && v.size() <= 18 && v.find_first_not_of("0123456789") == std::string_view::npos);
        FUZZ_REQUIRE(req.body().size() == std::stoull(std::string(v)));
    } else {
        FUZZ_REQUIRE(req.body().empty());
    }
}

void check_target(std::string_view target, const StaticTree& tree) {
    for (const auto& segment : liveblog::split_path(target)) FUZZ_REQUIRE(!segment.empty());
    for (const char* name : {"since", "epoch"}) {
        try {
            (void)liveblog::query_param(target, name);
        } catch (const liveblog::Error& e) {
            FUZZ_REQUIRE(e.code == liveblog::ErrorCode::bad_request);
        }
    }
    check_percent_decode(target, false);
    check_percent_decode(target, true);

    // As HttpApi::get hands /static/... to static_file: the raw remainder.
    const std::string_view path = target.substr(0, target.find('?'));
    constexpr std::string_view prefix = "/static/";
    if (path.substr(0, prefix.size()) == prefix) tree.check(path.substr(prefix.size()));
    if (!path.empty() && path.front() == '/') tree.check(path.substr(1));
}

// The credentials a request may carry: the session cookie and an API token.
void check_credentials(const liveblog::HttpRequest& req) {
    if (const auto cookie = req.find(http::field::cookie); cookie != req.end()) {
        const auto v = liveblog::accounts::cookie_value(sv(cookie->value()), liveblog::accounts::session_cookie_name);
        if (v) FUZZ_REQUIRE(v->find(';') == std::string::npos && v->size() <= cookie->value().size());
    }
    if (const auto auth = req.find(http::field::authorization); auth != req.end()) {
        std::string_view token = sv(auth->value());
        if (token.substr(0, 7) == "Bearer ") token.remove_prefix(7);
        // What parses is exactly what format_api_token would print.
        if (const auto parts = liveblog::accounts::parse_api_token(token))
            FUZZ_REQUIRE(liveblog::accounts::format_api_token(parts->id, parts->secret) == token);
    }
}

// The route table's matcher on a table of the same shapes as http/routes.cpp.
void check_routes(const liveblog::HttpRequest& req, const std::vector<std::string>& path) {
    static const liveblog::Router router = [] {
        liveblog::Router r;
        for (const char* p : {"/", "/stories/{story}", "/api/stories/{story}/entries/{entry}/pin", "/api/{path...}",
                              "/static/{path...}", "/api/users/{user}"})
            r.add({http::verb::get, p, liveblog::Access::anyone, nullptr, liveblog::Takeover::none, "fuzz"});
        r.add({http::verb::post, "/api/stories/{story}/entries", liveblog::Access::signed_in, nullptr, liveblog::Takeover::none, "fuzz"});
        return r;
    }();
    const auto m = router.match(req.method(), path);
    if (m.route) {
        FUZZ_REQUIRE(m.allow.empty());
        for (const auto& [name, value] : m.params) FUZZ_REQUIRE(!value.empty());
    }
}

void handle(const liveblog::HttpRequest& req, const StaticTree& tree) {
    check_framing(req);
    check_target(sv(req.target()), tree);
    check_credentials(req);
    check_routes(req, liveblog::split_path(sv(req.target())));
    (void)liveblog::etag_matches(req, "\"9f86d081-42\"");
    if (const auto key = req.find(http::field::sec_websocket_key); key != req.end()) {
        if (liveblog::ws::valid_client_key(sv(key->value())))
            FUZZ_REQUIRE(liveblog::ws::accept_key(sv(key->value())).size() == 28);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const StaticTree tree;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty()) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(body_limit);
        boost::beast::error_code ec;
        // As http::async_read: put what the buffer holds until the message is
        // done, an error, or it needs bytes the connection has not sent.
        for (;;) {
            ec = {};
            const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
            FUZZ_REQUIRE(used <= rest.size());
            rest.remove_prefix(used);
            if (ec == http::error::need_more) {
                if (used == 0) break;
                continue;
            }
            if (ec || parser.is_done() || used == 0) break;
        }
        if (!parser.is_done()) {
            // The peer closed mid-message.
            if (ec == http::error::need_more && parser.got_some()) {
                ec = {};
                parser.put_eof(ec);
            }
            return 0;
        }
        const auto req = parser.release();
        handle(req, tree);
        if (liveblog::framing_problem(req) || !req.keep_alive()) return 0;
    }
    return 0;
}
