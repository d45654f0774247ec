#include "http/http_api.hpp"

#include <cmath>
#include <fstream>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "core/authorization.hpp"
#include "core/jwt.hpp"
#include "core/validation.hpp"
#include "http/page_renderer.hpp"
#include "http/static_files.hpp"
#include "http/url.hpp"
#include "protocol/codec.hpp"
#include "protocol/messages.hpp"

namespace liveblog {

namespace http = boost::beast::http;

namespace {

// An entries page's body stops growing past this (one entry is at most
// max_entry_bytes, 256 KiB): a hundred large entries would be 25 MiB.
constexpr std::size_t max_page_bytes = 1 << 20;

std::string_view target_of(const HttpRequest& req) { return {req.target().data(), req.target().size()}; }

std::optional<std::uint64_t> uint_param(const HttpRequest& req, std::string_view name) {
    auto v = query_param(target_of(req), name);
    if (!v) return std::nullopt;
    if (v->empty() || v->size() > 19 || v->find_first_not_of("0123456789") != std::string::npos)
        throw Error{ErrorCode::bad_request, std::string(name) + ": must be a non-negative integer"};
    return std::stoull(*v);
}

std::string header(const HttpRequest& req, http::field f) {
    auto it = req.find(f);
    return it == req.end() ? std::string() : std::string(it->value());
}

std::string header(const HttpRequest& req, std::string_view name) {
    auto it = req.find(boost::beast::string_view(name.data(), name.size()));
    return it == req.end() ? std::string() : std::string(it->value());
}

// "3", "\"3\"" or W/"3" -> 3.
std::optional<std::uint32_t> version_from_if_match(const std::string& v) {
    std::string s = v;
    if (s.rfind("W/", 0) == 0) s = s.substr(2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return static_cast<std::uint32_t>(std::stoul(s));
}

HttpResponse result_response(const CommandResult& r, unsigned ok_status) {
    if (!r.ok()) {
        nlohmann::json extra;
        if (r.code == ErrorCode::version_conflict) extra = {{"entry_id", r.entry_id}, {"current_version", r.version}};
        return error_response(r.code, r.message, extra);
    }
    auto body = nlohmann::json::parse(encode_result("http", r));
    body.erase("type");
    body.erase("request_id");
    return json_response(r.duplicate ? 200 : ok_status, body);
}

HttpResponse html_response(unsigned status, std::string body) {
    return text_response(status, std::move(body), "text/html; charset=utf-8");
}

}  // namespace

std::vector<std::string> split_path(std::string_view target) {
    target = target.substr(0, target.find('?'));
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < target.size()) {
        if (target[pos] == '/') {
            ++pos;
            continue;
        }
        auto slash = target.find('/', pos);
        auto seg = target.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        auto decoded = percent_decode(seg, false);
        out.push_back(decoded ? *decoded : std::string("\x01"));  // undecodable: matches no route
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    return out;
}

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(q + 1);
    std::size_t pos = 0;
    while (pos <= query.size()) {
        auto amp = query.find('&', pos);
        auto pair = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            auto v = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
            if (!v) throw Error{ErrorCode::bad_request, std::string(name) + ": bad percent-encoding"};
            return v;
        }
        if (amp == std::string_view::npos) break;
        pos = amp + 1;
    }
    return std::nullopt;
}

HttpApi::HttpApi(const Config& config, Hub& hub, std::string secret, MetricsRegistry& metrics)
    : config_(config), hub_(hub), secret_(std::move(secret)), metrics_(metrics) {}

std::string HttpApi::story_etag(const Story& s, const std::string& variant) const {
    return "\"" + s.epoch + "-" + std::to_string(s.seq) + (variant.empty() ? "" : "-" + variant) + "\"";
}

void HttpApi::add_cors(const std::string& origin, HttpResponse& res) const {
    if (config_.cors_origins.empty()) return;
    // The answer depends on Origin for every request, so a shared cache must key on it.
    res.set(http::field::vary, "Origin");
    if (origin.empty()) return;
    bool any = std::find(config_.cors_origins.begin(), config_.cors_origins.end(), "*") != config_.cors_origins.end();
    bool listed = std::find(config_.cors_origins.begin(), config_.cors_origins.end(), origin) != config_.cors_origins.end();
    if (!any && !listed) return;
    res.set(http::field::access_control_allow_origin, any ? "*" : origin);
    res.set(http::field::access_control_expose_headers, "ETag");
}

void HttpApi::handle(const HttpRequest& req, Respond respond) {
    auto path = split_path(target_of(req));
    bool api = !path.empty() && path[0] == "api";
    // Reads of the API may come from other origins (CORS); everything else is same-origin.
    // `reply` may run after `req` is gone: it keeps what it needs by value.
    Respond reply = [this, origin = api ? header(req, http::field::origin) : std::string(), respond](HttpResponse res) {
        add_cors(origin, res);
        respond(std::move(res));
    };
    try {
        switch (req.method()) {
            case http::verb::get:
            case http::verb::head: get(req, path, reply); return;
            case http::verb::options:
                if (api) {
                    HttpResponse res = text_response(204, {}, "text/plain");
                    res.set(http::field::access_control_allow_methods, "GET, HEAD, OPTIONS");
                    res.set(http::field::access_control_allow_headers, "If-None-Match");
                    res.set(http::field::access_control_max_age, "600");
                    return reply(std::move(res));
                }
                break;
            case http::verb::post:
            case http::verb::patch:
            case http::verb::delete_: write(req, path, reply); return;
            default: break;
        }
        reply(error_response(ErrorCode::not_found, "no such endpoint"));
    } catch (const Error& e) {
        reply(error_response(e.code, e.message));
    }
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

void HttpApi::get(const HttpRequest& req, const std::vector<std::string>& path, Respond respond) {
    const std::size_t n = path.size();
    if (n == 0) {  // GET /: the list of stories
        auto stories = hub_.stories();
        std::string tag;
        for (auto& s : stories) tag += s.id + ":" + s.epoch + ":" + std::to_string(s.seq) + ";";
        auto res = html_response(200, render_story_list(stories));
        apply_cache_headers(req, res, "\"" + std::to_string(std::hash<std::string>{}(tag)) + "\"", config_.cache_max_age_s);
        return respond(std::move(res));
    }
    if (n == 1 && path[0] == "healthz") return respond(json_response(200, {{"status", "ok"}}));
    if (n == 1 && path[0] == "favicon.ico") return respond(text_response(204, {}, "image/x-icon"));  // no icon, no 404 noise
    if (n == 1 && path[0] == "readyz") {
        const char* problem = hub_.store_ready() ? nullptr : "store_unavailable";
        if (!problem && capacity_check_) problem = capacity_check_();
        return respond(json_response(problem ? 503 : 200, {{"status", problem ? problem : "ready"}}));
    }
    if (n == 1 && path[0] == "metrics") {
        auto res = text_response(200, metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        return respond(std::move(res));
    }
    if (n == 1 && path[0] == "editor") return static_file("editor.html", respond);
    if (n >= 2 && path[0] == "static") {
        // The raw remainder: resolve_static_path decodes it once and rejects what is unsafe.
        std::string_view raw = target_of(req);
        raw = raw.substr(0, raw.find('?'));
        constexpr std::string_view prefix = "/static/";
        if (raw.substr(0, prefix.size()) != prefix) return respond(error_response(ErrorCode::not_found, "no such file"));
        return static_file(std::string(raw.substr(prefix.size())), respond);
    }
    if (n == 2 && path[0] == "stories") return story_page(req, path[1], respond);
    if (n >= 2 && path[0] == "api" && path[1] == "stories") {
        if (n == 2) {
            auto stories = hub_.stories();
            nlohmann::json list = nlohmann::json::array();
            std::string tag;
            for (auto& s : stories) {
                list.push_back(story_json(s));
                tag += s.id + ":" + s.epoch + ":" + std::to_string(s.seq) + ";";
            }
            auto res = json_response(200, {{"stories", list}});
            apply_cache_headers(req, res, "\"" + std::to_string(std::hash<std::string>{}(tag)) + "\"",
                                config_.cache_max_age_s);
            return respond(std::move(res));
        }
        check_slug(path[2]);
        auto story = hub_.story(path[2]);
        if (!story) return respond(error_response(ErrorCode::unknown_story, "no story '" + path[2] + "'"));
        if (n == 3) {
            auto res = json_response(200, {{"story", story_json(*story)}});
            apply_cache_headers(req, res, story_etag(*story), config_.cache_max_age_s);
            return respond(std::move(res));
        }
        if (n == 4 && path[3] == "entries") return entries_page(req, path[2], respond);
        if (n == 4 && path[3] == "events") return events(req, path[2], respond);
    }
    respond(error_response(ErrorCode::not_found, "no such endpoint"));
}

void HttpApi::read_then(const Respond& respond, std::function<void()> fn) {
    auto posted = hub_.run_read([fn = std::move(fn), respond] {
        try {
            fn();
        } catch (const std::exception& e) {
            log_error("http: store read failed: ", e.what());
            respond(error_response(ErrorCode::store_unavailable, "the store could not be read; retry"));
        }
    });
    if (posted == WorkQueue::Posted::full)
        respond(error_response(ErrorCode::overloaded, "too many reads waiting; retry shortly"));
    else if (posted == WorkQueue::Posted::stopping)
        respond(error_response(ErrorCode::shutting_down, "the server is shutting down"));
}

std::string HttpApi::cache_control() const {
    return "public, max-age=" + std::to_string(static_cast<long>(std::lround(config_.cache_max_age_s)));
}

void HttpApi::entries_page(const HttpRequest& req, const std::string& id, Respond respond) {
    Seq before = uint_param(req, "before").value_or(0);
    std::size_t limit = uint_param(req, "limit").value_or(config_.snapshot_entries);
    if (limit == 0) throw Error{ErrorCode::bad_request, "limit: at least 1"};
    limit = std::min(limit, config_.max_page_entries);
    auto story = hub_.story(id);
    std::string etag = story_etag(*story, std::to_string(before) + "-" + std::to_string(limit));
    // A matching ETag is answered from memory, without touching the store.
    if (etag_matches(req, etag)) {
        HttpResponse res = json_response(200, nullptr);
        apply_cache_headers(req, res, etag, config_.cache_max_age_s);
        return respond(std::move(res));
    }
    read_then(respond, [this, id, before, limit, etag, respond] {
        auto page = hub_.store().entries(id, before, limit);
        // Bounded in bytes as well as entries: a page stops before the entry
        // that would take it past max_page_bytes (it always holds one), and
        // says has_more, so a client pages on from where it stopped.
        std::string list;
        std::size_t taken = 0;
        for (auto& e : page.entries) {
            std::string one = entry_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            if (taken > 0 && list.size() + one.size() > max_page_bytes) break;
            if (taken > 0) list += ',';
            list += one;
            ++taken;
        }
        const bool has_more = page.has_more || taken < page.entries.size();
        std::string body = "{\"entries\":[" + list + "],\"has_more\":" + (has_more ? "true" : "false") +
                           ",\"next_before\":" +
                           (has_more && taken > 0 ? std::to_string(page.entries[taken - 1].created_seq) : "null") +
                           ",\"story\":" + nlohmann::json(id).dump() + "}";
        auto res = text_response(200, std::move(body), "application/json; charset=utf-8");
        res.set(http::field::etag, etag);
        res.set(http::field::cache_control, cache_control());
        respond(std::move(res));
    });
}

void HttpApi::events(const HttpRequest& req, const std::string& id, Respond respond) {
    ResumePoint resume;
    resume.since = uint_param(req, "since").value_or(0);
    if (auto epoch = query_param(target_of(req), "epoch")) resume.epoch = *epoch;
    hub_.read_changes(id, resume, [respond](CatchUp c) {
        if (c.failed) return respond(error_response(ErrorCode::store_unavailable, "the story could not be read; retry"));
        // The body is assembled from the frames' JSON: no re-encoding.
        std::string body = "{\"seq\":" + std::to_string(c.seq) + ",\"epoch\":" + nlohmann::json(c.epoch).dump() +
                           ",\"mode\":\"" + to_string(c.plan) + "\",\"messages\":[";
        bool first = true;
        for (auto& f : c.frames) {
            body += first ? "" : ",";
            body += f->text();
            first = false;
        }
        body += "]}";
        auto res = text_response(200, std::move(body), "application/json; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        respond(std::move(res));
    });
}

void HttpApi::story_page(const HttpRequest& req, const std::string& id, Respond respond) {
    auto story = is_valid_slug(id) ? hub_.story(id) : std::nullopt;
    if (!story) return respond(html_response(404, "<!doctype html><title>Not found</title><h1>Not found</h1>"));
    Seq before = uint_param(req, "before").value_or(0);
    std::string etag = story_etag(*story, "page-" + std::to_string(before));
    if (etag_matches(req, etag)) {
        HttpResponse res = html_response(200, {});
        apply_cache_headers(req, res, etag, config_.cache_max_age_s);
        return respond(std::move(res));
    }
    std::size_t limit = config_.snapshot_entries;
    read_then(respond, [this, id, before, limit, etag, respond] {
        std::optional<StorySnapshot> snap;
        if (before == 0) {
            snap = hub_.store().snapshot(id, limit, 10);
        } else if (auto s = hub_.store().story(id)) {
            snap = StorySnapshot{*s, hub_.store().entries(id, before, limit), {}};
        }
        if (!snap) return respond(html_response(404, "<!doctype html><title>Not found</title><h1>Not found</h1>"));
        auto res = html_response(200, render_story_page(*snap, before));
        res.set(http::field::etag, etag);
        res.set(http::field::cache_control, cache_control());
        respond(std::move(res));
    });
}

void HttpApi::static_file(const std::string& relative, Respond respond) {
    std::string root = config_.static_dir;
    read_then(respond, [root, relative, respond] {
        auto path = resolve_static_path(root, relative);
        std::string body;
        if (path) {
            std::ifstream in(*path, std::ios::binary);
            if (in) body.assign(std::istreambuf_iterator<char>(in), {});
            else path.reset();
        }
        if (!path) return respond(error_response(ErrorCode::not_found, "no such file"));
        auto res = text_response(200, std::move(body), content_type_for(*path));
        res.set(http::field::cache_control, "public, max-age=60");
        res.set("X-Content-Type-Options", "nosniff");
        respond(std::move(res));
    });
}

// ---------------------------------------------------------------------------
// Writes: the editor commands over HTTP, same rules as /admin/ws
// ---------------------------------------------------------------------------

void HttpApi::write(const HttpRequest& req, const std::vector<std::string>& path, Respond respond) {
    const std::size_t n = path.size();
    if (n < 2 || path[0] != "api" || path[1] != "stories")
        return respond(error_response(ErrorCode::not_found, "no such endpoint"));

    std::string auth = header(req, http::field::authorization);
    if (auth.rfind("Bearer ", 0) != 0) throw Error{ErrorCode::unauthorized, "Authorization: Bearer <token> required"};
    Claims claims = verify_token(auth.substr(7), secret_, now_millis() / 1000);

    // The body becomes the command message itself (moved, never copied).
    nlohmann::json msg = nlohmann::json::object();
    if (!req.body().empty()) {
        std::string type = header(req, http::field::content_type);
        if (type.substr(0, type.find(';')) != "application/json")
            throw Error{ErrorCode::unsupported_media_type, "Content-Type must be application/json"};
        JsonLimits limits;
        limits.max_bytes = config_.max_request_body_bytes;
        msg = parse_json_object(req.body(), limits);
    }
    msg["request_id"] = "http";
    unsigned ok_status = 200;
    auto m = req.method();
    if (n == 2 && m == http::verb::post) {
        msg["type"] = "create_story";
        if (auto id = msg.find("id"); id != msg.end()) msg["story"] = std::move(*id);
        ok_status = 201;
    } else if (n == 3 && m == http::verb::patch) {
        msg["type"] = "update_story";
        msg["story"] = path[2];
    } else if (n == 4 && path[3] == "entries" && m == http::verb::post) {
        msg["type"] = "post_entry";
        msg["story"] = path[2];
        std::string key = header(req, "Idempotency-Key");
        if (!key.empty()) msg["idempotency_key"] = key;
        ok_status = 201;
    } else if (n == 5 && path[3] == "entries" && (m == http::verb::patch || m == http::verb::delete_)) {
        msg["type"] = m == http::verb::patch ? "update_entry" : "delete_entry";
        msg["story"] = path[2];
        msg["entry_id"] = path[4];
        std::string if_match = header(req, http::field::if_match);
        if (!if_match.empty()) {
            auto v = version_from_if_match(if_match);
            if (!v) throw Error{ErrorCode::bad_request, "If-Match: expected the entry version, e.g. \"3\""};
            msg["expected_version"] = *v;
        }
    } else if (n == 6 && path[3] == "entries" && path[5] == "pin" &&
               (m == http::verb::post || m == http::verb::delete_)) {
        msg["type"] = m == http::verb::post ? "pin_entry" : "unpin_entry";
        msg["story"] = path[2];
        msg["entry_id"] = path[4];
    } else {
        return respond(error_response(ErrorCode::not_found, "no such endpoint"));
    }

    auto parsed = parse_admin_message(msg, claims.sub);
    Command command = std::move(std::get<Command>(parsed));
    authorize(claims, command);
    std::string location;
    if (std::holds_alternative<CreateStory>(command)) location = "/api/stories/" + command_story(command);
    hub_.submit(std::move(command), [respond, ok_status, location](const CommandResult& r) {
        auto res = result_response(r, ok_status);
        if (r.ok() && !location.empty()) res.set(http::field::location, location);
        respond(std::move(res));
    });
}

}  // namespace liveblog
