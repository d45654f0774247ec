#pragma once
// A minimal Server-Sent Events client for tests: one GET, then events parsed
// from the stream (id / data / comments), each wait bounded by a timeout.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace liveblog::test {

struct SseEvent {
    std::optional<std::string> id;
    std::string data;
    nlohmann::json json() const { return nlohmann::json::parse(data); }
};

class SseClient {
public:
    SseClient(unsigned short port, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers = {});
    ~SseClient();
    SseClient(const SseClient&) = delete;
    SseClient& operator=(const SseClient&) = delete;

    int status() const { return status_; }
    const std::string& head() const { return head_; }
    std::optional<unsigned> retry_ms() const { return retry_; }
    // The next event (comments are counted, not returned); throws on timeout or EOF.
    SseEvent next(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Next event whose JSON "type" is `type`.
    SseEvent next_of_type(const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    int comments() const { return comments_; }
    // Whether the server ends the stream within `timeout` (what is still
    // unread is skipped).
    bool ends_within(std::chrono::milliseconds timeout);

private:
    bool fill(std::chrono::milliseconds timeout);
    int fd_ = -1;
    int status_ = 0;
    std::string head_;
    std::string buffer_;
    std::optional<unsigned> retry_;
    int comments_ = 0;
};

}  // namespace liveblog::test
