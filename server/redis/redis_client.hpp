#pragma once
// A synchronous Redis connection (hiredis), owned by one thread at a time.
// Used only from the storage, reader and feed threads: never from an I/O
// thread, since every call may block up to the timeout.
//
// A lost connection is reopened by the next call; the call that saw it
// fails with RedisError{io=true}. Error replies (-ERR ...) fail with
// RedisError{io=false}: the server took the command and refused it.

#include <chrono>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace liveblog::redis {

// Where Redis is: redis://[[user]:password@]host[:port][/db]
struct Endpoint {
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    std::string user;
    std::string password;
};
// Throws std::invalid_argument naming what is wrong.
Endpoint parse_url(std::string_view url);

struct RedisError : std::runtime_error {
    RedisError(const std::string& what, bool io_error) : std::runtime_error(what), io(io_error) {}
    bool io;  // the connection failed: the command may or may not have run
};

// A reply, copied out of hiredis.
struct Value {
    enum class Type { nil, integer, string, status, error, array };
    Type type = Type::nil;
    long long integer = 0;
    std::string str;  // string, status, error
    std::vector<Value> elements;

    bool is_nil() const { return type == Type::nil; }
    const Value& operator[](std::size_t i) const { return elements.at(i); }
    std::size_t size() const { return elements.size(); }
};

class Connection {
public:
    Connection(Endpoint endpoint, std::chrono::milliseconds timeout);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one command (connecting first if needed) and returns its reply.
    Value command(const std::vector<std::string>& argv);
    Value command(std::initializer_list<std::string_view> argv);
    // Several commands in one round trip; replies in order (error replies
    // are returned as values, not thrown).
    std::vector<Value> pipeline(const std::vector<std::vector<std::string>>& commands);

    // For an event loop (pub/sub): queue a command without waiting...
    void send(const std::vector<std::string>& argv);
    // ...write what is queued (false: the socket is full, poll for POLLOUT)...
    bool flush();
    // ...read what the socket has, then take the replies one by one.
    void read_available();
    bool next_reply(Value& out);

    bool connected() const { return ctx_ != nullptr; }
    void connect();      // no-op when connected; throws RedisError{io=true}
    void disconnect();
    int fd() const;
    // Blocking calls wait at most this long (0: forever, for BLOCK commands).
    void set_timeout(std::chrono::milliseconds timeout);

private:
    Value read_reply(const std::string& what);
    [[noreturn]] void fail_io(const std::string& what);

    Endpoint endpoint_;
    std::chrono::milliseconds timeout_;
    redisContext* ctx_ = nullptr;
};

}  // namespace liveblog::redis
