#include "redis/redis_client.hpp"

#include <hiredis/hiredis.h>

#include <charconv>

namespace liveblog::redis {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

Value convert(const redisReply* r) {
    Value v;
    switch (r->type) {
        case REDIS_REPLY_STRING: v.type = Value::Type::string; v.str.assign(r->str, r->len); break;
        case REDIS_REPLY_STATUS: v.type = Value::Type::status; v.str.assign(r->str, r->len); break;
        case REDIS_REPLY_ERROR: v.type = Value::Type::error; v.str.assign(r->str, r->len); break;
        case REDIS_REPLY_INTEGER: v.type = Value::Type::integer; v.integer = r->integer; break;
        case REDIS_REPLY_ARRAY:
            v.type = Value::Type::array;
            v.elements.reserve(r->elements);
            for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(convert(r->element[i]));
            break;
        default: v.type = Value::Type::nil; break;
    }
    return v;
}

int parse_int(std::string_view s, const char* what) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0)
        throw std::invalid_argument(std::string("redis URL: bad ") + what + " '" + std::string(s) + "'");
    return v;
}

}  // namespace

Endpoint parse_url(std::string_view url) {
    constexpr std::string_view scheme = "redis://";
    if (!url.starts_with(scheme)) throw std::invalid_argument("redis URL must start with redis:// (got '" + std::string(url) + "')");
    std::string_view rest = url.substr(scheme.size());
    Endpoint e;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view auth = rest.substr(0, at);
        rest = rest.substr(at + 1);
        if (auto colon = auth.find(':'); colon != std::string_view::npos) {
            e.user = std::string(auth.substr(0, colon));
            e.password = std::string(auth.substr(colon + 1));
        } else {
            e.password = std::string(auth);
        }
    }
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        std::string_view db = rest.substr(slash + 1);
        if (!db.empty()) e.db = parse_int(db, "database number");
        rest = rest.substr(0, slash);
    }
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        e.port = parse_int(rest.substr(colon + 1), "port");
        if (e.port == 0 || e.port > 65535) throw std::invalid_argument("redis URL: port out of range");
        rest = rest.substr(0, colon);
    }
    if (!rest.empty()) e.host = std::string(rest);
    return e;
}

Connection::Connection(Endpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

Connection::~Connection() { disconnect(); }

void Connection::disconnect() {
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
}

int Connection::fd() const { return ctx_ ? ctx_->fd : -1; }

void Connection::fail_io(const std::string& what) {
    std::string message = "redis " + endpoint_.host + ":" + std::to_string(endpoint_.port) + ": " + what;
    if (ctx_ && ctx_->err) message += ": " + std::string(ctx_->errstr);
    disconnect();
    throw RedisError(message, true);
}

void Connection::connect() {
    if (ctx_) return;
    ctx_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, to_timeval(timeout_));
    if (!ctx_) throw RedisError("redis: out of memory", true);
    if (ctx_->err) fail_io("cannot connect");
    redisSetTimeout(ctx_, to_timeval(timeout_));
    redisEnableKeepAlive(ctx_);
    auto must = [this](const std::vector<std::string>& argv) {
        Value v = command(argv);
        if (v.type == Value::Type::error) {
            std::string why = v.str;
            disconnect();
            throw RedisError("redis: " + argv[0] + " refused: " + why, true);
        }
    };
    if (!endpoint_.password.empty()) {
        if (endpoint_.user.empty())
            must({"AUTH", endpoint_.password});
        else
            must({"AUTH", endpoint_.user, endpoint_.password});
    }
    if (endpoint_.db != 0) must({"SELECT", std::to_string(endpoint_.db)});
}

void Connection::set_timeout(std::chrono::milliseconds timeout) {
    timeout_ = timeout;
    if (ctx_) redisSetTimeout(ctx_, to_timeval(timeout));
}

Value Connection::command(const std::vector<std::string>& argv) {
    send(argv);
    return read_reply(argv.empty() ? "command" : argv[0]);
}

Value Connection::command(std::initializer_list<std::string_view> argv) {
    return command(std::vector<std::string>(argv.begin(), argv.end()));
}

std::vector<Value> Connection::pipeline(const std::vector<std::vector<std::string>>& commands) {
    for (auto& c : commands) send(c);
    std::vector<Value> out;
    out.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) out.push_back(read_reply("pipeline"));
    return out;
}

// Writes what is queued and waits for the next reply (up to the timeout).
Value Connection::read_reply(const std::string& what) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || !raw) fail_io(what + " failed");
    auto* reply = static_cast<redisReply*>(raw);
    Value v = convert(reply);
    freeReplyObject(reply);
    return v;
}

void Connection::send(const std::vector<std::string>& argv) {
    connect();
    std::vector<const char*> args;
    std::vector<size_t> lens;
    for (auto& a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data()) != REDIS_OK)
        fail_io("cannot queue a command");
}

bool Connection::flush() {
    if (!ctx_) fail_io("not connected");
    int done = 0;
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) fail_io("write failed");
    return done != 0;
}

void Connection::read_available() {
    if (!ctx_) fail_io("not connected");
    if (redisBufferRead(ctx_) != REDIS_OK) fail_io("read failed");
}

bool Connection::next_reply(Value& out) {
    if (!ctx_) fail_io("not connected");
    void* raw = nullptr;
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) fail_io("bad reply");
    if (!raw) return false;
    auto* reply = static_cast<redisReply*>(raw);
    out = convert(reply);
    freeReplyObject(reply);
    return true;
}

}  // namespace liveblog::redis
