// The person's own memory routes (docs/api.md): list, search, read, correct and
// forget their memories, their core profile, export and erase. Store work runs
// on the memory thread; KV states are dropped asynchronously, and a route answers
// only after the change is complete everywhere (database, index, quotes, KV states).
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <ctime>
#include <optional>
#include <thread>

#include "base/utf8.h"
#include "companion/fact_distiller.h"
#include "companion/summarizer.h"
#include "companion/turn_memory.h"
#include "memory/export.h"
#include "memory/recall.h"
#include "server/route_handlers.h"
#include "base/job_queue.h"
#include "server/openai_json.h"
#include "server/request_bodies.h"
#include "server/url_query.h"

namespace os1::server {
namespace {

using json = nlohmann::json;

constexpr int max_page = 1000;

// Invalid UTF-8 cannot be stored, but a reply must never fail on it.
std::string text(const json & j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json turn_json(const memory::turn_record & t, bool full) {
    json j = {{"id", t.id}, {"kind", "turn"}, {"conversation", t.session}, {"ts", t.ts},
              {"speaker", t.speaker}, {"role", role_name(t.role)}, {"text", t.text}};
    if (full) j["recalled"] = t.recalled;
    return j;
}

json fact_json(const memory::fact_record & f) {
    return {{"id", f.id}, {"kind", "fact"}, {"text", f.text}, {"ts", f.ts}, {"confidence", f.confidence},
            {"reinforced", f.reinforced}, {"sources", f.sources},
            {"superseded_by", f.superseded_by ? json(f.superseded_by) : json(nullptr)}};
}

// A whole number from a query or path; false when it is not one.
bool parse_int(const std::string & s, int64_t & out) {
    if (s.empty() || s.size() > 18) return false;
    int64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

}  // namespace


void memory_handler::handle(route_exchange & ex, const http_request & req, const std::string & person, const std::string & path) {
    if (!ctx_.memory) {
        return ex.error(http::status::not_found, "this server does not remember (it runs with --no-memory)",
                          "not_found_error");
    }
    // Every route that works the store counts against the person's rate, as chat does.
    if (ex.rate_limited(person)) return;
    const auto method = req.method();
    const auto query = url_query(std::string(req.target()));
    const auto get = [&](const char * key) {
        auto it = query.find(key);
        return it == query.end() ? std::string() : it->second;
    };
    const auto bad_text_body = [&](const status & why) {
        ex.error(http::status::bad_request, why.message(), "invalid_request_error");
    };
    const auto wrong_method = [&](const char * allowed) {
        ex.error(http::status::method_not_allowed, std::string("use ") + allowed, "invalid_request_error");
    };
    int64_t limit = 20;
    if (!get("limit").empty() && (!parse_int(get("limit"), limit) || limit < 1 || limit > max_page)) {
        return ex.error(http::status::bad_request, "limit must be from 1 to 1000", "invalid_request_error");
    }

    // The person's conversations and one of them, for a client to resume (GET only: DELETE is the server's).
    if (path == "/api/v1/conversations") {
        return ex.memory_job([person, limit](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            auto rows = s.turns().conversations(*who, static_cast<int>(limit));
            if (!rows) return error_reply(rows.error());
            json items = json::array();
            for (const auto & c : *rows) {
                items.push_back({{"id", c.id}, {"turns", c.turns}, {"started_at", c.started_at}, {"last_at", c.last_at},
                                 {"last_text", std::string(utf8_prefix(c.last_text, 200))}});
            }
            return {http::status::ok, text(json{{"items", items}})};
        }, person);
    }
    if (path.rfind("/api/v1/conversations/", 0) == 0) {
        std::string id = percent_decode(path.substr(std::string("/api/v1/conversations/").size()));
        if (get("limit").empty()) limit = 200;
        return ex.memory_job([person, id, limit](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            auto rows = s.turns().conversation_tail(*who, id, static_cast<int>(limit));
            if (!rows) return error_reply(rows.error());
            if (rows->empty()) return error_reply(status(status_code::not_found, "no conversation " + id));
            json messages = json::array();
            for (const auto & t : *rows) messages.push_back(turn_json(t, false));
            return {http::status::ok, text(json{{"id", id}, {"messages", messages}})};
        }, person);
    }
    if (path == "/api/v1/memories") {
        if (method != http::verb::get) return wrong_method("GET");
        int64_t before = 0;
        if (!get("before").empty() && !parse_int(get("before"), before)) {
            return ex.error(http::status::bad_request, "before must be a memory id", "invalid_request_error");
        }
        return ex.memory_job([person, before, limit](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            auto rows = s.turns().list_turns(*who, before, static_cast<int>(limit));
            if (!rows) return error_reply(rows.error());
            json items = json::array();
            for (const auto & t : *rows) items.push_back(turn_json(t, false));
            json j = {{"items", items}};
            if (rows->size() == static_cast<size_t>(limit)) j["next_before"] = rows->back().id;
            return {http::status::ok, text(j)};
        }, person);
    }
    if (path == "/api/v1/memories/search") {
        if (method != http::verb::get) return wrong_method("GET");
        const std::string q = get("q");
        if (q.empty() || q.size() > 4096 || !utf8_is_valid(q)) {
            return ex.error(http::status::bad_request, "q must be 1 to 4096 bytes of UTF-8 text", "invalid_request_error");
        }
        llm::embedder * embedder = ctx_.opts.memory.embedder;  // lives as long as the server
        return ex.memory_job([embedder, person, q, limit](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            memory::recall_options ro;
            std::vector<float> vec;
            if (embedder) {
                if (auto v = embedder->embed(q)) vec = std::move(*v);
                if (!vec.empty()) ro.query_vector = &vec;
            }
            ro.k = static_cast<int>(limit);
            ro.as_of = std::time(nullptr);
            ro.facts = companion::memory_settings{}.recall_facts;
            ro.summaries = companion::memory_settings{}.recall_summaries;
            auto items = memory::recall(s, *who, q, ro);
            if (!items) return error_reply(items.error());
            json out = json::array();
            for (const auto & i : *items) {
                json item = {{"kind", memory::kind_name(i.kind)}, {"text", i.text}, {"score", i.score}, {"ts", i.ts}, {"ids", i.turn_ids}};
                if (i.fact_id) item["fact_id"] = i.fact_id;
                out.push_back(std::move(item));
            }
            return {http::status::ok, text(json{{"items", out}})};
        }, person);
    }
    const std::string item_prefix = "/api/v1/memories/";
    if (path.rfind(item_prefix, 0) == 0) {
        int64_t id = 0;
        if (!parse_int(path.substr(item_prefix.size()), id)) {
            return ex.error(http::status::not_found, "no memory " + path.substr(item_prefix.size()), "not_found_error");
        }
        if (method == http::verb::get) {
            return ex.memory_job([person, id](memory::memory_store & s) -> memory_reply {
                auto who = s.person(person, true);
                if (!who) return error_reply(who.error());
                auto t = s.turns().turn(*who, id);
                if (!t) return error_reply(t.error());
                return {http::status::ok, text(turn_json(*t, true))};
            }, person);
        }
        if (method == http::verb::patch) {
            const auto body = parse_text_body(req.body());
            if (!body) return bad_text_body(body.error());
            return ex.memory_job(
                [person, id, corrected = *body](memory::memory_store & s) -> memory_reply {
                    auto who = s.person(person, true);
                    if (!who) return error_reply(who.error());
                    auto affected = s.turns().edit_turn(*who, id, corrected);
                    if (!affected) return error_reply(affected.error());
                    auto t = s.turns().turn(*who, id);
                    if (!t) return error_reply(t.error());
                    memory_reply r{http::status::ok, text(turn_json(*t, false))};
                    r.drop = std::move(*affected);
                    // A background job's prompt may hold the turn.
                    r.drop.push_back(companion::distill_conversation());
                    r.drop.push_back(companion::summary_conversation());
                    return r;
                },
                person);
        }
        if (method == http::verb::delete_) {
            return ex.memory_job(
                [person, id](memory::memory_store & s) -> memory_reply {
                    auto who = s.person(person, true);
                    if (!who) return error_reply(who.error());
                    auto affected = s.turns().forget_turn(*who, id);
                    if (!affected) return error_reply(affected.error());
                    memory_reply r{http::status::no_content, ""};
                    r.drop = std::move(*affected);
                    // A background job's prompt may hold the turn.
                    r.drop.push_back(companion::distill_conversation());
                    r.drop.push_back(companion::summary_conversation());
                    return r;
                },
                person);
        }
        return wrong_method("GET, PATCH or DELETE");
    }
    if (path == "/api/v1/facts") {
        if (method != http::verb::get) return wrong_method("GET");
        const bool all = get("superseded") == "true";
        return ex.memory_job([person, limit, all](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            auto facts = s.facts().facts(*who, all, static_cast<int>(limit));
            if (!facts) return error_reply(facts.error());
            json items = json::array();
            for (const auto & f : *facts) items.push_back(fact_json(f));
            return {http::status::ok, text(json{{"items", items}})};
        }, person);
    }
    if (path == "/api/v1/summaries") {
        if (method != http::verb::get) return wrong_method("GET");
        return ex.memory_job([person, limit](memory::memory_store & s) -> memory_reply {
            auto who = s.person(person, true);
            if (!who) return error_reply(who.error());
            auto portrait = s.summaries().summary(*who, 0);
            if (!portrait) return error_reply(portrait.error());
            auto sessions = s.summaries().session_summaries(*who, 0, static_cast<int>(limit));
            if (!sessions) return error_reply(sessions.error());
            const auto item = [](const memory::summary_record & r) {
                return json{{"id", r.id}, {"conversation", r.session}, {"text", r.text}, {"upto_memory", r.upto_turn_id},
                            {"updated_at", r.updated_at}};
            };
            json items = json::array();
            for (const auto & r : *sessions) items.push_back(item(r));
            return {http::status::ok,
                    text(json{{"person", portrait->id ? json(portrait->text) : json(nullptr)}, {"items", items}})};
        }, person);
    }
    const std::string fact_prefix = "/api/v1/facts/";
    if (path.rfind(fact_prefix, 0) == 0) {
        int64_t id = 0;
        if (!parse_int(path.substr(fact_prefix.size()), id)) {
            return ex.error(http::status::not_found, "no fact " + path.substr(fact_prefix.size()), "not_found_error");
        }
        if (method == http::verb::get) {
            return ex.memory_job([person, id](memory::memory_store & s) -> memory_reply {
                auto who = s.person(person, true);
                if (!who) return error_reply(who.error());
                auto history = s.facts().fact_history(*who, id);
                if (!history) return error_reply(history.error());
                json j = fact_json(history->front());
                j["history"] = json::array();
                for (size_t i = 1; i < history->size(); ++i) j["history"].push_back(fact_json((*history)[i]));
                return {http::status::ok, text(j)};
            }, person);
        }
        if (method == http::verb::delete_) {
            return ex.memory_job([person, id](memory::memory_store & s) -> memory_reply {
                auto who = s.person(person, true);
                if (!who) return error_reply(who.error());
                auto affected = s.facts().forget_fact(*who, id);
                if (!affected) return error_reply(affected.error());
                memory_reply r{http::status::no_content, ""};
                r.drop = std::move(*affected);  // the conversations whose prompts held it
                return r;
            }, person);
        }
        if (method == http::verb::patch) {
            const auto body = parse_text_body(req.body());
            if (!body) return bad_text_body(body.error());
            return ex.memory_job([person, id, corrected = *body](memory::memory_store & s) -> memory_reply {
                auto who = s.person(person, true);
                if (!who) return error_reply(who.error());
                auto affected = s.facts().edit_fact(*who, id, corrected);
                if (!affected) return error_reply(affected.error());
                auto history = s.facts().fact_history(*who, id);
                if (!history) return error_reply(history.error());
                memory_reply r{http::status::ok, text(fact_json(history->front()))};
                r.drop = std::move(*affected);
                return r;
            }, person);
        }
        return wrong_method("GET, PATCH or DELETE");
    }
    if (path == "/api/v1/profile") {
        if (method == http::verb::get) {
            return ex.memory_job([person](memory::memory_store & s) -> memory_reply {
                auto who = s.person(person, true);
                if (!who) return error_reply(who.error());
                auto profile = s.profiles().profile(*who);
                if (!profile) return error_reply(profile.error());
                const companion::memory_settings ms;
                auto portrait = s.summaries().summary(*who, 0);
                if (!portrait) return error_reply(portrait.error());
                auto facts = s.facts().core_facts(*who, ms.profile_facts);
                if (!facts) return error_reply(facts.error());
                const std::string in_prompt = companion::core_profile(*profile, portrait->text, *facts, ms.profile_bytes);
                return {http::status::ok, text(json{{"text", *profile}, {"in_prompt", in_prompt}})};
            }, person);
        }
        if (method != http::verb::put) return wrong_method("GET or PUT");
        const auto body = parse_text_body(req.body());
        if (!body) return bad_text_body(body.error());
        return ex.memory_job(
            [person, profile = *body](memory::memory_store & s) -> memory_reply {
                auto who = s.person(person, true);
                if (!who) return error_reply(who.error());
                if (auto st = s.profiles().set_profile(*who, profile); !st) return error_reply(st);
                memory_reply r{http::status::ok, text(json{{"text", profile}})};
                r.drop_person = true;  // every conversation's prompt held the old profile
                return r;
            },
            person);
    }
    if (path == "/api/v1/export") {
        if (method != http::verb::get) return wrong_method("GET");
        return ex.memory_job([person](memory::memory_store & s) -> memory_reply {
            const int64_t now = std::time(nullptr);
            auto dump = memory::export_person(s, person, now);
            if (!dump && dump.error().code() == status_code::not_found) {
                dump = memory::person_export{json{{"format", "os1-memory-export"}, {"version", 1}, {"person", person},
                                                  {"exported_at", now}, {"core_profile", ""}, {"sessions", json::array()},
                                                  {"turns", json::array()}, {"facts", json::array()}}.dump(2) + "\n",
                                             "# What OS1 remembers of " + person + "\n\nNothing.\n"};
            }
            if (!dump) return error_reply(dump.error());
            auto tar = memory::export_archive(*dump, now);
            if (!tar) return error_reply(tar.error());
            return {http::status::ok, std::move(*tar), "application/x-tar"};
        }, person);
    }
    if (path == "/api/v1/me") {
        if (method != http::verb::delete_) return wrong_method("DELETE");
        const auto confirm = req.find("X-OS1-Confirm");
        if (confirm == req.end() || confirm->value() != "erase") {
            return ex.error(http::status::bad_request,
                              "erasing cannot be undone: send the header X-OS1-Confirm: erase", "invalid_request_error");
        }
        // The token stops, what is in flight is cancelled and the event streams close
        // before anything is erased; nothing of theirs is written afterwards.
        ctx_.gate.revoke(person);
        ctx_.events.close(person);
        users_store * users = ctx_.users;
        return ex.memory_job(
            [person, users](memory::memory_store & s) -> memory_reply {
                const auto failed = [](const status & st) {  // nothing was erased: the person may go on
                    memory_reply r = error_reply(st);
                    r.unblock_person = true;
                    return r;
                };
                if (auto who = s.person(person, false)) {
                    if (auto st = s.erase_person(*who); !st) return failed(st);
                } else if (who.error().code() != status_code::not_found) {
                    return failed(who.error());
                }
                if (users) users->remove(person);  // the account is gone; the token was refused already
                if (auto st = s.compact(); !st) {  // erased, but old pages may hold deleted bytes: say so
                    memory_reply r = error_reply(st.with_context("erased, but the database was not compacted"));
                    r.drop_person = true;
                    r.unblock_person = true;
                    return r;
                }
                spdlog::info("a person erased themself");
                memory_reply r{http::status::no_content, ""};
                r.drop_person = true;
                r.unblock_person = true;  // the account is gone: the name may be given to someone new
                return r;
            },
            person);
    }
    ex.error(http::status::not_found, "no route " + path, "not_found_error");
}

}  // namespace os1::server
