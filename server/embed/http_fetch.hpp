#pragma once
// A blocking HTTP(S) GET for embed captures, bounded in every way an
// outside server could abuse: one deadline for everything (DNS aside,
// connect, TLS, redirects, body), a body limit, at most a few redirects,
// and the address policy (address_policy.hpp) applied to every address a
// host resolves to, on every hop. The connection goes to the address that
// was checked: there is no second lookup for a rebinding DNS to exploit.
//
// The origins the operator configured (an oEmbed endpoint's scheme, host
// and port, as written) are trusted without the address check: a newsroom
// may run its own provider on its network. Nothing else is, unless
// allow_private.
//
// Runs on an embed worker thread; never on an I/O thread.

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/ssl.h>

namespace liveblog::embed {

// Why a fetch failed, in words an editor can read ("timed out", "refused:
// localhost is a private address").
struct FetchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct FetchPolicy {
    std::chrono::steady_clock::time_point deadline;
    std::size_t max_bytes = 1 << 20;
    int max_redirects = 3;
    bool allow_private = false;
    std::vector<std::string> trusted_origins;  // origin_of() of each configured endpoint
    SSL_CTX* tls = nullptr;                    // a client context that verifies certificates
    std::string user_agent = "liveblog (embed cards)";
};

struct FetchResult {
    unsigned status = 0;
    std::string content_type;
    std::string body;
    std::string url;  // after redirects
};

// "https://Example.org/x" -> "https://example.org:443"; throws FetchError
// for anything but an http(s) URL with a host.
std::string origin_of(const std::string& url);

// Follows redirects; a final status other than 2xx is returned, not thrown.
FetchResult fetch(const std::string& url, const FetchPolicy& policy);

// A client TLS context verifying against the system's roots (freed by the caller with SSL_CTX_free).
SSL_CTX* make_verifying_client_context();

}  // namespace liveblog::embed
