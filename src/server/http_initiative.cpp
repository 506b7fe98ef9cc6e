// The routes of the OS speaking first (docs/api.md, "Initiative"): the event
// stream a client keeps open (GET /api/v1/events), the log of everything the
// OS thought of saying with each decision and why (GET /api/v1/initiatives),
// and the person's own limits (GET/PUT /api/v1/initiative/settings).
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>

#include "companion/initiative.h"
#include "server/route_handlers.h"
#include "server/initiative_scheduler.h"
#include "server/request_bodies.h"
#include "server/url_query.h"

namespace os1::server {
namespace {

using json = nlohmann::json;

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

void initiative_handler::handle(route_exchange & ex, const http_request & req, const std::string & person, const std::string & path) {
    if (!ctx_.initiative()) {
        return ex.error(http::status::not_found,
                          "this server does not speak first (it runs with --no-initiative, --no-memory or --plain)",
                          "not_found_error");
    }
    if (ex.rate_limited(person)) return;
    const auto method = req.method();
    const auto wrong_method = [&](const char * allowed) {
        ex.error(http::status::method_not_allowed, std::string("use ") + allowed, "invalid_request_error");
    };
    if (path == "/api/v1/events") {
        if (method != http::verb::get) return wrong_method("GET");
        return ex.events_stream(person);
    }
    if (path == "/api/v1/initiatives") {
        if (method != http::verb::get) return wrong_method("GET");
        const auto n = query_number(url_query(std::string(req.target())), "limit", 1, 1000, 100);
        if (!n) return ex.error(http::status::bad_request, "limit must be from 1 to 1000", "invalid_request_error");
        return ex.memory_job([person, limit = static_cast<int>(*n)](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            auto rows = s.initiatives().initiatives(*who, limit);
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
        if (!parsed) return ex.error(http::status::bad_request, parsed.error().message(), "invalid_request_error");
        patch = std::move(*parsed);
    }
    ex.memory_job([person, patch](memory::memory_store & s) -> memory_reply {
        auto who = s.person(person, true);
        if (!who) return error_reply(who.error());
        auto limits = s.initiatives().initiative_limits(*who);
        if (!limits) return error_reply(limits.error());
        if (patch) {
            *limits = apply_settings(*limits, *patch);
            if (auto st = s.initiatives().set_initiative_limits(*who, *limits); !st) return error_reply(st);
        }
        return {http::status::ok, dump(settings_json(*limits))};
    }, person);
}

}  // namespace os1::server
