// The scheduler of the OS's own first words (companion/initiative.h): every
// tick it asks the memory thread to decide what is due; what is sent goes to
// the person's open event streams (event_hub), and is marked delivered when a
// stream took it, else it waits for their next connection.
//
// Threads: the timer runs on the server's I/O context; the deciding on the
// memory thread. Time is the given clock's, so that tests can move it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <string>

#include "base/clock.h"
#include "companion/initiative.h"
#include "memory/memory_worker.h"
#include "server/event_hub.h"

namespace os1::server {

// One initiative as a server-sent event (docs/api.md, "Events").
std::string initiative_event(const memory::initiative_record & r, const std::string & persona_name);

// Sends every initiative of WHO that was sent and not yet received to the
// person's open streams (named PERSON in the hub), marking those taken. On the memory thread.
// DEFAULT_NAME: the OS's name with people who have not named it.
void deliver_waiting(memory::memory_store & store, memory::person_id who, const std::string & person, event_hub & hub,
                     const clock_i & clock, const std::string & default_name);

class initiative_scheduler {
public:
    initiative_scheduler(boost::asio::io_context & ioc, memory::memory_worker & worker, event_hub & hub,
                         const clock_i & clock, int tick_ms, std::string default_name,
                         const companion::initiative_policy & policy = {});
    void start();
    void stop();  // no further ticks; from any thread

private:
    void arm();  // on strand_
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::steady_timer timer_;
    memory::memory_worker & worker_;
    event_hub & hub_;
    const clock_i & clock_;
    int tick_ms_;
    std::string default_name_;
    companion::initiative_policy policy_;
    std::atomic<bool> stopped_{false};
};

}  // namespace os1::server
