#pragma once
// A blocking WebSocket client for tests, with a timeout on every wait.
// Clients may share one io_context (thousands of readers in one test).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "transport/net.hpp"

namespace liveblog::test {

using namespace std::chrono_literals;
using json = nlohmann::json;

struct Closed : std::runtime_error {
    Closed(unsigned short c, std::string r)
        : std::runtime_error("connection closed: " + std::to_string(c) + " " + r), code(c), reason(std::move(r)) {}
    unsigned short code;
    std::string reason;
};

struct ClientOptions {
    std::string path = "/ws";
    std::string bearer;          // Authorization: Bearer ... on the upgrade
    std::vector<std::pair<std::string, std::string>> headers;  // more upgrade headers (Cookie, Origin)
    int receive_buffer = 0;      // SO_RCVBUF before connect (a small one makes a slow reader)
    std::shared_ptr<net::io_context> ioc;  // shared; null: own one
};

class WsClient {
public:
    WsClient(unsigned short port, ClientOptions options = {});
    ~WsClient();

    void send(const json& message);
    void send_raw(std::string_view bytes, bool binary = false);

    // Next message; throws Closed when the server closed, std::runtime_error on timeout.
    json recv(std::chrono::milliseconds timeout = 5s);
    // Next message satisfying pred; others are skipped (e.g. presence).
    json recv_until(const std::function<bool(const json&)>& pred, std::chrono::milliseconds timeout = 5s);
    json recv_type(const std::string& type, std::chrono::milliseconds timeout = 5s);
    // Waits for the server's close and returns its code (throws on timeout).
    unsigned short wait_closed(std::chrono::milliseconds timeout = 5s);
    // True if nothing arrives within `wait`.
    bool quiet_for(std::chrono::milliseconds wait);
    // True if no `event` message arrives within `wait` (presence and the like may).
    bool no_event_within(std::chrono::milliseconds wait);
    void close();

private:
    std::shared_ptr<net::io_context> ioc_;
    websocket::stream<tcp::socket> ws_;
    beast::flat_buffer buffer_;
    bool read_pending_ = false;
    error_code read_ec_;
    bool read_done_ = false;
};

// Failed upgrade: the HTTP status and body the server answered with.
struct UpgradeRefused : std::runtime_error {
    UpgradeRefused(int s, std::string b) : std::runtime_error("upgrade refused: " + std::to_string(s) + " " + b), status(s), body(std::move(b)) {}
    int status;
    std::string body;
};

// A plain HTTP/1.1 request; returns status and body.
struct HttpResult {
    int status = 0;
    std::string body;
    std::string header(const std::string& name) const;
    std::vector<std::pair<std::string, std::string>> headers;
};
HttpResult http_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body = {}, const std::vector<std::pair<std::string, std::string>>& headers = {});

// Sends `raw` bytes as they are (e.g. a head announcing a huge body) and reads one response.
HttpResult raw_http_exchange(unsigned short port, const std::string& raw);

}  // namespace liveblog::test
