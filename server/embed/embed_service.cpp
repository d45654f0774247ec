#include "embed/embed_service.hpp"

#include "common/config.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "core/bounded_json.hpp"
#include "core/validation.hpp"
#include "embed/http_fetch.hpp"
#include "embed/oembed.hpp"
#include "media/media_service.hpp"

namespace liveblog::embed {

struct EmbedService::TlsContext {
    SSL_CTX* ctx = make_verifying_client_context();
    ~TlsContext() {
        if (ctx) SSL_CTX_free(ctx);
    }
};

EmbedService::EmbedService(const Config& config, media::MediaService& media, MetricsRegistry& metrics)
    : config_(config), media_(media), tls_(std::make_unique<TlsContext>()),
      resolved_(metrics.counter("liveblog_embed_captures_total", "embed card captures by outcome",
                                {{"outcome", "card"}})),
      unresolved_(metrics.counter("liveblog_embed_captures_total", "embed card captures by outcome",
                                  {{"outcome", "link"}})),
      workers_("embed", std::max<std::size_t>(1, config.embed_threads), 64) {
    for (const auto& p : config.oembed_providers) {
        try {
            trusted_origins_.push_back(origin_of(p.endpoint));
        } catch (const FetchError& e) {
            log_warn("embed: provider ", p.name, ": endpoint ", p.endpoint, ": ", e.what());
        }
    }
}

EmbedService::~EmbedService() { workers_.stop(); }

void EmbedService::capture(std::string url, std::function<void(std::variant<Captured, Error>)> done) {
    post_with_reply<Captured>(
        workers_, [this, url = std::move(url)] { return capture_now(url); }, std::move(done), "embed: capture",
        "too many embed captures waiting; retry shortly");
}

Captured EmbedService::capture_now(const std::string& url) {
    Captured out;
    out.block = {{"type", "embed"}, {"url", url}};
    const auto link_only = [&](std::string problem) {
        unresolved_.inc();
        out.problem = std::move(problem);
        log_info("embed: no card for ", url, ": ", out.problem);
        return out;
    };
    const OembedProvider* provider = find_provider(config_.oembed_providers, url);
    if (!provider) return link_only("no oEmbed provider for this address");
    if (provider->needs_token && provider->access_token.empty())
        return link_only(provider->name + " needs an access_token in oembed_providers");

    FetchPolicy policy;
    policy.deadline = std::chrono::steady_clock::now() +
                      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(config_.embed_fetch_timeout_s));
    policy.max_bytes = config_.embed_fetch_max_bytes;
    policy.allow_private = config_.embed_fetch_allow_private;
    policy.trusted_origins = trusted_origins_;
    policy.tls = tls_->ctx;

    CardDraft draft;
    try {
        auto answer = fetch(oembed_request(*provider, url), policy);
        if (answer.status != 200)
            return link_only(provider->name + " answered " + std::to_string(answer.status));
        JsonLimits limits;
        limits.max_bytes = config_.embed_fetch_max_bytes;
        JsonRefusal refusal;
        auto json = parse_bounded_json(answer.body, limits, refusal);
        if (refusal != JsonRefusal::none || !json.is_object())
            return link_only(provider->name + " did not answer with usable JSON");
        draft = card_from_oembed(json, *provider);
    } catch (const FetchError& e) {
        return link_only(provider->name + ": " + e.what());
    } catch (const std::runtime_error& e) {
        return link_only(provider->name + ": " + e.what());
    }
    if (draft.card.contains("author_url") && !is_http_url(draft.card["author_url"].get<std::string>()))
        draft.card.erase("author_url");

    // The thumbnail, through the upload path: decoded, checked, re-encoded,
    // stored here. A failure leaves the card without one.
    if (!draft.thumbnail_url.empty() && is_http_url(draft.thumbnail_url)) {
        FetchPolicy image_policy = policy;
        image_policy.max_bytes = config_.max_upload_bytes;
        try {
            auto image = fetch(draft.thumbnail_url, image_policy);
            if (image.status == 200) draft.card["thumbnail"] = {{"media", media_.ingest_now(image.body).record.info.id}};
            else log_info("embed: thumbnail ", draft.thumbnail_url, ": status ", image.status);
        } catch (const FetchError& e) {
            log_info("embed: thumbnail ", draft.thumbnail_url, ": ", e.what());
        } catch (const Error& e) {
            log_info("embed: thumbnail ", draft.thumbnail_url, ": ", e.message);
        }
    }

    // The card goes through the content rules like any block: what comes
    // back is exactly what post_entry will accept.
    nlohmann::json block = {{"type", "embed"}, {"url", url}, {"card", draft.card}};
    try {
        out.block = validate_blocks(nlohmann::json::array({block}), media::content_limits_for(media_))[0];
    } catch (const Error& e) {
        return link_only("the provider's answer does not make a card (" + e.message + ")");
    }
    out.resolved = true;
    resolved_.inc();
    return out;
}

}  // namespace liveblog::embed
