// `os1 serve`: an event-driven HTTP server (Boost.Beast/Asio). A few I/O
// threads hold every connection and never wait for the model or the disk: the
// engine runs on its own thread and its events are posted back to each
// connection's strand.
#pragma once

#include <memory>

#include "llm/llm_i.h"
#include "memory/memory_worker.h"
#include "os1/status.h"
#include "server/server_options.h"
#include "server/users.h"

namespace os1::server {

class http_server {
public:
    // `users` may be null only with opts.no_auth. With `memory`, every turn is
    // remembered and recalled from (the server owns it and drains it on the way out).
    http_server(server_options opts, llm::llm_i & engine, users_store * users,
                std::unique_ptr<memory::memory_worker> memory = nullptr);
    ~http_server();  // stops ENGINE too: the server's background requests must not outlive it
    http_server(const http_server &) = delete;
    http_server & operator=(const http_server &) = delete;

    // Binds the address. invalid_argument for --no-auth off loopback, io_error
    // when the port is taken.
    status listen();
    int port() const;  // the bound port (useful with port 0)
    int listeners(const std::string & person);  // PERSON's open event streams (GET /api/v1/events)

    // Serves until stop() or SIGTERM/SIGINT (when handle_signals), then shuts
    // down gracefully: no new connections, replies in flight finish (up to
    // drain_ms), every KV state is written to disk.
    void run(bool handle_signals);
    void stop();  // any thread

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::server
