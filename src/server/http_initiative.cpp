// The routes of the OS speaking first (docs/api.md, "Initiative"): the event
// stream a client keeps open (GET /api/v1/events), the log of everything the
// OS thought of saying with each decision and why (GET /api/v1/initiatives),
// and the person's own limits (GET/PUT /api/v1/initiative/settings).
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>

#include "companion/initiative.h"
#include "server/http_session.h"
#include "server/initiative_scheduler.h"
#include "server/request_bodies.h"
#include "server/url_query.h"

namespace os1::server {
namespace {

using json = nlohmann::json;

constexpr int heartbeat_s = 15;  // a comment line, so that proxies and clients see a live stream

std::string dump(const json & j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json settings_json(const memory::initiative_settings & s) {
    return {{"opted_out", s.opted_out},   {"quiet_from", companion::clock_text(s.quiet_from)}, {"quiet_to", companion::clock_text(s.quiet_to)},
            {"utc_offset_minutes", s.utc_offset}, {"daily_cap", s.daily_cap}, {"min_importance", s.min_importance}};
}

json record_json(const memory::initiative_record & r) {
    const auto when = [](int64_t t) { return t ? json(t) : json(nullptr); };
    return {{"id", r.id},
            {"kind", memory::kind_name(r.kind)},
            {"text", r.text},
            {"reason", r.reason},
            {"importance", r.importance},
            {"state", memory::state_name(r.state)},
            {"decision", r.decision},
            {"due_at", r.due_at},
            {"created_at", r.created_at},
            {"decided_at", when(r.decided_at)},
            {"delivered_at", when(r.delivered_at)},
            {"memory", r.source_turn ? json(r.source_turn) : json(nullptr)}};
}

}  // namespace

void http_session::initiative_routes(request && req, const std::string & person, const std::string & path) {
    const std::string route_name = "initiative";
    if (!ctx_.initiative()) {
        return send_error(http::status::not_found,
                          "this server does not speak first (it runs with --no-initiative, --no-memory or --plain)",
                          "not_found_error", route_name);
    }
    if (rate_limited(person, route_name)) return;
    const auto method = req.method();
    const auto wrong_method = [&](const char * allowed) {
        send_error(http::status::method_not_allowed, std::string("use ") + allowed, "invalid_request_error", route_name);
    };
    if (path == "/api/v1/events") {
        if (method != http::verb::get) return wrong_method("GET");
        return events_stream(person);
    }
    if (path == "/api/v1/initiatives") {
        if (method != http::verb::get) return wrong_method("GET");
        const auto n = query_number(url_query(std::string(req.target())), "limit", 1, 1000, 100);
        if (!n) return send_error(http::status::bad_request, "limit must be from 1 to 1000", "invalid_request_error", route_name);
        return memory_job(route_name, [person, limit = static_cast<int>(*n)](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            auto rows = s.initiatives(*who, limit);
            if (!rows) return error_reply(rows.error());
            json out = json::array();
            for (const auto & r : *rows) out.push_back(record_json(r));
            return {http::status::ok, dump(json{{"initiatives", out}})};
        }, person);
    }
    // /api/v1/initiative/settings
    if (method != http::verb::get && method != http::verb::put) return wrong_method("GET or PUT");
    std::optional<initiative_settings_patch> patch;
    if (method == http::verb::put) {
        auto parsed = parse_initiative_settings(req.body());
        if (!parsed) return send_error(http::status::bad_request, parsed.error().message(), "invalid_request_error", route_name);
        patch = std::move(*parsed);
    }
    memory_job(route_name, [person, patch](memory::memory_store & s) -> memory_reply {
        auto who = s.person(person, true);
        if (!who) return error_reply(who.error());
        auto limits = s.initiative_limits(*who);
        if (!limits) return error_reply(limits.error());
        if (patch) {
            *limits = apply_settings(*limits, *patch);
            if (auto st = s.set_initiative_limits(*who, *limits); !st) return error_reply(st);
        }
        return {http::status::ok, dump(settings_json(*limits))};
    }, person);
}

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
        if (ec || self->closed_) return;
        self->write_raw(chunk_frame(": ping\n\n"));
        self->heartbeat();
    });
}

void http_session::end_stream() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
}

bool http_session::send_event(const std::string & event) {
    if (gone_) return false;
    net::post(stream_.get_executor(), [self = shared_from_this(), event] {
        if (!self->closed_) self->write_raw(chunk_frame(event));
    });
    return true;
}

}  // namespace os1::server
