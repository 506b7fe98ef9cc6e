// Who is listening for what the OS says first (GET /api/v1/events): the open
// event streams of each person. The scheduler sends through it; a person with
// no open stream gets the message when they next connect.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace os1::server {

class event_listener {
public:
    virtual ~event_listener() = default;
    // Queues one server-sent event (the whole "event: ...\ndata: ...\n\n" text)
    // for the client; false when the client has gone.
    virtual bool send_event(const std::string & event) = 0;
    // Ends the stream (the person was erased or revoked).
    virtual void end_stream() = 0;
};

class event_hub {
public:
    void add(const std::string & person, const std::shared_ptr<event_listener> & l);
    // Sends EVENT to every open stream of PERSON; how many took it.
    int send(const std::string & person, const std::string & event);
    // Ends every open stream of PERSON and forgets them.
    void close(const std::string & person);
    // Open streams of PERSON (those not yet known to be gone).
    int listeners(const std::string & person);

private:
    void prune();  // GUARDED_BY(mu_)
    std::mutex mu_;
    std::multimap<std::string, std::weak_ptr<event_listener>> by_person_;  // GUARDED_BY(mu_)
};

}  // namespace os1::server
