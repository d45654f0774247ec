#include "support/editor.hpp"

#include "common/clock.hpp"
#include "core/jwt.hpp"
#include "support/server_process.hpp"

namespace liveblog::test {

std::string make_token(const std::string& sub, const std::string& role, const std::vector<std::string>& stories,
                       long ttl_seconds) {
    Claims c;
    c.sub = sub;
    c.role = parse_role(role).value_or(Role::editor);
    std::int64_t now = now_millis() / 1000;
    c.exp = now + ttl_seconds;
    if (!stories.empty()) c.stories = stories;
    return sign_token(c, test_secret, now);
}

json text_blocks(const std::string& text) { return json::array({{{"type", "text"}, {"text", text}}}); }

Editor::Editor(unsigned short port, std::string token, bool header)
    : ws_(port, ClientOptions{"/admin/ws", header ? token : std::string()}) {
    if (!header) {
        ws_.send({{"type", "auth"}, {"token", token}});
        json r = ws_.recv();
        if (r.value("type", "") != "authenticated") throw std::runtime_error("auth failed: " + r.dump());
    }
}

json Editor::command(json msg, std::chrono::milliseconds timeout) {
    long id = next_id_++;
    msg["request_id"] = id;
    ws_.send(msg);
    return ws_.recv_until([&](const json& m) { return m.contains("request_id") && m["request_id"] == id; }, timeout);
}

json Editor::create_story(const std::string& id, const std::string& title) {
    return command({{"type", "create_story"}, {"story", id}, {"title", title}, {"lang", "fr"}});
}

json Editor::post(const std::string& story, const std::string& text, const std::string& idempotency_key) {
    json m{{"type", "post_entry"}, {"story", story}, {"blocks", text_blocks(text)}};
    if (!idempotency_key.empty()) m["idempotency_key"] = idempotency_key;
    return command(m);
}

}  // namespace liveblog::test
