// A connection that became the person's event stream (GET /api/v1/events):
// initiative events as the scheduler sends them, and a heartbeat.
#include <spdlog/spdlog.h>

#include "server/http_session.h"
#include "server/initiative_scheduler.h"

namespace os1::server {
namespace {

constexpr int heartbeat_s = 15;  // a comment line, so that proxies and clients see a live stream

}  // namespace

// The connection becomes the person's event stream until either side closes
// it: what waits is sent at once, the rest as the scheduler sends it.
void http_session::events_stream(const std::string & person) {
    keep_alive_ = false;  // no request follows on this connection
    write_raw("HTTP/1.1 200 OK\r\nServer: os1\r\nContent-Type: text/event-stream\r\n" + cors_lines() +
              "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    write_raw(chunk_frame(": the OS's own words arrive here as 'initiative' events\n\n"));
    ctx_.stats.count_response("initiative", 200);
    ctx_.events.add(person, shared_from_this());
    event_hub * hub = &ctx_.events;
    const clock_i * clock = ctx_.clock;
    ctx_.memory->post([hub, clock, person, name = ctx_.opts.onboarding.default_name](memory::memory_store & s) {
        auto who = s.person(person, true);
        if (!who) return spdlog::error("initiative: {}", who.error().message());
        deliver_waiting(s, *who, person, *hub, *clock, name);
    });
    watch_events_client();
    heartbeat();
}

// The client sends nothing more: a close, or bytes (which break the protocol), end the stream.
void http_session::watch_events_client() {
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
        if (self->closed_) return;
        if (!ec && self->peek_socket() == readable::nothing) return self->watch_events_client();
        self->close();
    });
}

void http_session::heartbeat() {
    watchdog_.expires_after(std::chrono::seconds(heartbeat_s));
    watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec || self->closed_ || self->close_after_write_) return;
        self->write_raw(chunk_frame(": ping\n\n"));
        self->heartbeat();
    });
}

// The last chunk first, so that the client sees a stream that ended, not one cut off.
void http_session::end_stream() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        if (self->closed_ || self->close_after_write_) return;
        self->close_after_write_ = true;
        self->write_raw("0\r\n\r\n");
    });
}

bool http_session::send_event(const std::string & event) {
    if (gone_) return false;
    net::post(stream_.get_executor(), [self = shared_from_this(), event] {
        if (!self->closed_ && !self->close_after_write_) self->write_raw(chunk_frame(event));
    });
    return true;
}

}  // namespace os1::server
