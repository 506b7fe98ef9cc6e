// A client of a realtime WebSocket (OS1's /v1/realtime), for `os1 talk --mic`:
// events sent as JSON text, each event that arrives handed to a callback.
// Here because this module is the only one that speaks Boost.Beast.
//
// Threads: one I/O thread of its own reads and writes; send() from any
// thread; the callbacks run on the I/O thread, in order.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "os1/status.h"

namespace os1::server {

class realtime_client {
public:
    using on_event = std::function<void(const std::string & event)>;
    using on_closed = std::function<void(const status & why)>;  // ok() when the client closed it

    // Connected to URL ("http://HOST:PORT[/v1]", the same base as the API's;
    // the WebSocket is at /v1/realtime?conversation=CONVERSATION) with TOKEN
    // as a Bearer token ("" for none). Errors: invalid_argument for a URL it
    // cannot use (naming why), network_error when nothing answers, permission
    // denied (401, 403) or network_error with the server.s own message when the upgrade is refused.
    static result<std::unique_ptr<realtime_client>> connect(const std::string & url, const std::string & token,
                                                            const std::string & conversation, on_event events,
                                                            on_closed closed);
    ~realtime_client();  // closes the socket and joins the thread
    realtime_client(const realtime_client &) = delete;
    realtime_client & operator=(const realtime_client &) = delete;

    void send(std::string event);  // queued; dropped once closed
    void close();                  // a normal close once what was sent is written; on_closed follows

private:
    struct impl;
    explicit realtime_client(std::shared_ptr<impl> p);
    std::shared_ptr<impl> impl_;
};

}  // namespace os1::server
