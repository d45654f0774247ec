#pragma once
// A local oEmbed provider on 127.0.0.1 and an ephemeral port, for the embed
// card tests: a real HTTP server on a real socket, answering
//   /oembed?url=…     a rich answer (provider, author, html with a
//                     blockquote, a thumbnail on this same server)
//   /thumb            tests/fixtures/images/photo.webp
//   /slow?url=…       nothing for 30 s (past any embed_fetch_timeout_s)
//   /huge?url=…       a 2 MiB JSON answer (past embed_fetch_max_bytes)
//   /redirect?url=…   302 to http://127.0.0.1:PORT/oembed (the same server
//                     by another name: configured as "localhost", the
//                     target is not the trusted origin)
// Every request it receives is counted. It stops (and its threads end)
// when destroyed.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace liveblog::test {

class OembedProvider {
public:
    OembedProvider();
    ~OembedProvider();
    OembedProvider(const OembedProvider&) = delete;
    OembedProvider& operator=(const OembedProvider&) = delete;

    unsigned short port() const { return port_; }
    // "http://127.0.0.1:PORT" (or with `host` instead of the address).
    std::string origin(const std::string& host = "127.0.0.1") const;
    int requests() const { return requests_.load(); }

private:
    void serve();
    void answer(int fd);

    int listen_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    unsigned short port_ = 0;
    std::atomic<int> requests_{0};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::vector<std::thread> workers_;
};

}  // namespace liveblog::test
