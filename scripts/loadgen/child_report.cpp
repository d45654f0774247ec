#include "child_report.hpp"

#include <nlohmann/json.hpp>

namespace liveblog::load {

std::string encode_report(const ChildReport& r) {
    nlohmann::json j{
        {"kind", r.kind}, {"child", r.child}, {"readers", r.readers}, {"live", r.live}, {"failed", r.failed},
        {"failures", r.failures}, {"closes", r.closes}, {"errors", r.errors},
        {"connect_start_ns", r.connect_start_ns}, {"connect_end_ns", r.connect_end_ns}, {"story_live", r.story_live},
        {"latency", r.latency.encode()}, {"deliveries", r.deliveries}, {"duplicates", r.duplicates},
        {"replayed", r.replayed}, {"foreign", r.foreign}, {"misrouted", r.misrouted}, {"messages", r.messages},
        {"bytes", r.bytes}, {"wire_bytes", r.wire_bytes}, {"first_delivery_ns", r.first_delivery_ns}, {"last_delivery_ns", r.last_delivery_ns},
        {"expected", r.expected}, {"lost", r.lost}, {"readers_with_loss", r.readers_with_loss},
        {"event_max_us", r.event_max_us}, {"event_receivers", r.event_receivers},
        {"dropped", r.dropped}, {"resumed", r.resumed}, {"resume_failed", r.resume_failed}, {"drop_ns", r.drop_ns},
        {"last_resumed_ns", r.last_resumed_ns}, {"resume_us", r.resume_us.encode()}, {"resume_modes", r.resume_modes},
        {"cpu_s", r.cpu_s}, {"max_rss_kib", r.max_rss_kib},
    };
    return j.dump() + "\n";
}

std::optional<ChildReport> decode_report(std::string_view line, std::string& error) {
    try {
        const auto j = nlohmann::json::parse(line);
        ChildReport r;
        j.at("kind").get_to(r.kind);
        j.at("child").get_to(r.child);
        j.at("readers").get_to(r.readers);
        j.at("live").get_to(r.live);
        j.at("failed").get_to(r.failed);
        j.at("failures").get_to(r.failures);
        j.at("closes").get_to(r.closes);
        j.at("errors").get_to(r.errors);
        j.at("connect_start_ns").get_to(r.connect_start_ns);
        j.at("connect_end_ns").get_to(r.connect_end_ns);
        j.at("story_live").get_to(r.story_live);
        j.at("deliveries").get_to(r.deliveries);
        j.at("duplicates").get_to(r.duplicates);
        j.at("replayed").get_to(r.replayed);
        j.at("foreign").get_to(r.foreign);
        j.at("misrouted").get_to(r.misrouted);
        j.at("messages").get_to(r.messages);
        j.at("bytes").get_to(r.bytes);
        r.wire_bytes = j.value("wire_bytes", std::uint64_t{0});
        j.at("first_delivery_ns").get_to(r.first_delivery_ns);
        j.at("last_delivery_ns").get_to(r.last_delivery_ns);
        j.at("expected").get_to(r.expected);
        j.at("lost").get_to(r.lost);
        j.at("readers_with_loss").get_to(r.readers_with_loss);
        j.at("event_max_us").get_to(r.event_max_us);
        j.at("event_receivers").get_to(r.event_receivers);
        j.at("dropped").get_to(r.dropped);
        j.at("resumed").get_to(r.resumed);
        j.at("resume_failed").get_to(r.resume_failed);
        j.at("drop_ns").get_to(r.drop_ns);
        j.at("last_resumed_ns").get_to(r.last_resumed_ns);
        j.at("resume_modes").get_to(r.resume_modes);
        j.at("cpu_s").get_to(r.cpu_s);
        j.at("max_rss_kib").get_to(r.max_rss_kib);
        auto latency = Histogram::decode(j.at("latency").get<std::string>());
        auto resume = Histogram::decode(j.at("resume_us").get<std::string>());
        if (!latency || !resume) {
            error = "bad histogram";
            return std::nullopt;
        }
        r.latency = std::move(*latency);
        r.resume_us = std::move(*resume);
        return r;
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

}  // namespace liveblog::load
