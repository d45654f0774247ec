#pragma once
// What every connection needs from the server, whatever its shard.

#include <memory>
#include <string>

#include "accounts/account_service.hpp"
#include "common/config.hpp"
#include "common/metrics.hpp"
#include "core/editor_presence.hpp"
#include "core/hub.hpp"
#include "core/validation.hpp"
#include "http/http_api.hpp"
#include "media/media_service.hpp"
#include "tls/tls_context.hpp"
#include "transport/connection_limiter.hpp"

namespace liveblog {

struct ServerContext {
    const Config& config;
    Hub& hub;
    accounts::AccountService& accounts;
    std::string secret;  // token signing key
    std::shared_ptr<ConnectionLimiter> limiter;
    MetricsRegistry& metrics;
    HttpApi& api;
    EditorPresence& presence;  // who is editing which story (editors' channel)
    TlsCertificates* tls;      // the listen port's certificate, when it speaks TLS (else null)
    unsigned short bound_port = 0;  // the listen port as bound (listen_port 0 picks one): where redirects point
    ContentLimits content_limits;   // content rules, with the uploaded images a block may name
    media::MediaService& media;     // uploads: a connection reserves a slot before reading one
};

}  // namespace liveblog
