// The companion's routes (docs/api.md): who the OS is with this person, every
// version of it with what changed and why, renaming and rolling back (a
// change takes effect in every conversation at once: their KV states, which
// hold the old persona, are dropped before the route answers); and the
// person's mood series.
#include <nlohmann/json.hpp>

#include "companion/mood.h"
#include "companion/persona.h"
#include "server/route_handlers.h"
#include "server/openai_json.h"
#include "server/request_bodies.h"
#include "server/url_query.h"

namespace os1::server {
namespace {

using json = nlohmann::json;

json persona_json(const memory::persona_record & p) {
    return {{"version", p.version}, {"name", p.name},   {"about", p.about},   {"traits", p.traits},
            {"interests", p.interests}, {"notes", p.notes}, {"source", p.source}, {"reason", p.reason},
            {"diff", p.diff}, {"created_at", p.created_at}};
}

std::string dump(const json & j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The person's store id, created on first use (a new person has no persona yet).
result<memory::person_id> person_of(memory::memory_store & s, const std::string & person) { return s.person(person, true); }

}  // namespace

void companion_handler::handle(route_exchange & ex, const http_request & req, const std::string & person, const std::string & path) {
    if (!ctx_.memory) {
        return ex.error(http::status::not_found, "this server keeps no persona (it runs with --no-memory or --plain)",
                          "not_found_error");
    }
    if (ex.rate_limited(person)) return;
    const auto method = req.method();
    const auto bad_body = [&](const status & why) {
        ex.error(http::status::bad_request, why.message(), "invalid_request_error");
    };
    const auto wrong_method = [&](const char * allowed) {
        ex.error(http::status::method_not_allowed, std::string("use ") + allowed, "invalid_request_error");
    };

    if (path == "/api/v1/persona") {
        if (method == http::verb::get) {
            return ex.memory_job([person](memory::memory_store & s) -> memory_reply {
                auto who = person_of(s, person);
                if (!who) return error_reply(who.error());
                auto p = s.personas().persona(*who);
                if (!p) return error_reply(p.error());
                auto state = s.personas().onboarding(*who);
                if (!state) return error_reply(state.error());
                json j = p->version ? persona_json(*p) : json{{"version", 0}};
                j["onboarding"] = state->stage == memory::onboarding_stage::not_begun ? "not begun" : memory::stage_name(state->stage);
                return {http::status::ok, dump(j)};
            }, person);
        }
        if (method != http::verb::put) return wrong_method("GET or PUT");
        auto name = parse_persona_name(req.body());
        if (!name) return bad_body(name.error());
        return ex.memory_job([person, name = *name](memory::memory_store & s) -> memory_reply {
            auto who = person_of(s, person);
            if (!who) return error_reply(who.error());
            auto p = companion::rename_persona(s, *who, name);
            if (!p) return error_reply(p.error());
            memory_reply r{http::status::ok, dump(persona_json(*p))};
            r.drop_person = true;  // every conversation's prompt held the old name
            return r;
        }, person);
    }
    if (path == "/api/v1/persona/history") {
        if (method != http::verb::get) return wrong_method("GET");
        const auto query = url_query(std::string(req.target()));
        const auto n = query_number(query, "limit", 1, 1000, 100);
        if (!n) return ex.error(http::status::bad_request, "limit must be from 1 to 1000", "invalid_request_error");
        return ex.memory_job([person, limit = static_cast<int>(*n)](memory::memory_store & s) -> memory_reply {
            auto who = person_of(s, person);
            if (!who) return error_reply(who.error());
            auto versions = s.personas().persona_history(*who, limit);
            if (!versions) return error_reply(versions.error());
            json out = json::array();
            for (const auto & p : *versions) out.push_back(persona_json(p));
            return {http::status::ok, dump(json{{"versions", out}})};
        }, person);
    }
    if (path == "/api/v1/persona/rollback") {
        if (method != http::verb::post) return wrong_method("POST");
        auto version = parse_persona_version(req.body());
        if (!version) return bad_body(version.error());
        return ex.memory_job([person, version = *version](memory::memory_store & s) -> memory_reply {
            auto who = person_of(s, person);
            if (!who) return error_reply(who.error());
            auto p = companion::rollback_persona(s, *who, version);
            if (!p) return error_reply(p.error());
            memory_reply r{http::status::ok, dump(persona_json(*p))};
            r.drop_person = true;
            return r;
        }, person);
    }
    if (path == "/api/v1/mood") {
        if (method != http::verb::get) return wrong_method("GET");
        const auto query = url_query(std::string(req.target()));
        const auto n = query_number(query, "days", 1, 366, 30);
        if (!n) return ex.error(http::status::bad_request, "days must be from 1 to 366", "invalid_request_error");
        return ex.memory_job([person, days = static_cast<int>(*n), now = ctx_.now()](memory::memory_store & s) -> memory_reply {
            auto who = person_of(s, person);
            if (!who) return error_reply(who.error());
            auto readings = s.feelings().emotions_between(*who, now - int64_t{days} * 86400 - 86400, now + 1, 100000);
            if (!readings) return error_reply(readings.error());
            const auto series = companion::mood_series(*readings, now, days);
            json out = {{"days", json::array()}, {"sparkline", companion::sparkline(series)}, {"readings", json::array()}};
            for (const auto & d : series) {
                out["days"].push_back({{"date", d.date}, {"messages", d.messages}, {"valence", d.messages ? json(d.valence) : json(nullptr)},
                                       {"arousal", d.messages ? json(d.arousal) : json(nullptr)},
                                       {"label", d.messages ? json(d.label) : json(nullptr)}});
            }
            const size_t from = readings->size() > 200 ? readings->size() - 200 : 0;  // the latest 200
            for (size_t i = from; i < readings->size(); ++i) {
                const auto & r = (*readings)[i];
                out["readings"].push_back({{"memory", r.turn_id}, {"ts", r.ts}, {"label", r.label}, {"valence", r.valence},
                                           {"arousal", r.arousal}, {"source", r.source}});
            }
            return {http::status::ok, dump(out)};
        }, person);
    }
    ex.error(http::status::not_found, "no route " + path, "not_found_error");
}

}  // namespace os1::server
