#pragma once
// An editor on /admin/ws for tests: signs its own token with the test
// secret, and pairs each command with its reply by request_id.

#include <string>
#include <vector>

#include "support/ws_client.hpp"

namespace liveblog::test {

std::string make_token(const std::string& sub, const std::string& role,
                       const std::vector<std::string>& stories = {}, long ttl_seconds = 3600);

json text_blocks(const std::string& text);

class Editor {
public:
    // Authenticates with the Authorization header (or an auth message when `header` is false).
    explicit Editor(unsigned short port, std::string token = make_token("test-editor", "admin"), bool header = true);

    // Sends msg with a fresh request_id; returns the ack or error for it.
    json command(json msg, std::chrono::milliseconds timeout = 10s);
    json create_story(const std::string& id, const std::string& title = "Test story");
    json post(const std::string& story, const std::string& text, const std::string& idempotency_key = {});
    WsClient& ws() { return ws_; }

private:
    WsClient ws_;
    long next_id_ = 1;
};

}  // namespace liveblog::test
