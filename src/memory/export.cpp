#include "memory/export.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <map>

#include "memory/tar_writer.h"
#include "memory/time_expr.h"

namespace os1::memory {

std::string utc_text(int64_t unix_s) {
    int64_t y = 0;
    unsigned m = 0, d = 0;
    const int64_t day = unix_s >= 0 ? unix_s / 86400 : (unix_s - 86399) / 86400;
    civil_from_days(day, y, m, d);
    const int64_t sec = unix_s - day * 86400;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld UTC", static_cast<long long>(y), m, d,
                  static_cast<long long>(sec / 3600), static_cast<long long>(sec / 60 % 60));
    return buf;
}

result<person_export> export_person(memory_store & store, const std::string & name, int64_t now_unix) {
    using json = nlohmann::json;
    auto who = store.person(name, false);
    if (!who) return who.error();
    auto sessions = store.turns().sessions(*who);
    if (!sessions) return sessions.error();
    auto profile = store.profiles().profile(*who);
    if (!profile) return profile.error();

    json doc = {{"format", "os1-memory-export"}, {"version", 1}, {"person", name}, {"exported_at", now_unix},
                {"core_profile", *profile}, {"sessions", json::array()}, {"turns", json::array()}};
    std::map<int64_t, std::string> session_key;
    for (const auto & s : *sessions) {
        session_key[s.id] = s.key;
        doc["sessions"].push_back({{"key", s.key}, {"conversation", s.conversation}, {"started_at", s.started_at},
                                   {"ended_at", s.ended_at ? json(s.ended_at) : json(nullptr)}, {"core_profile", s.profile}});
    }
    auto portrait = store.summaries().summary(*who, 0);
    if (!portrait) return portrait.error();
    auto summaries = store.summaries().session_summaries(*who, 0, 1000000);
    if (!summaries) return summaries.error();
    doc["summaries"] = json::array();
    if (portrait->id) summaries->insert(summaries->begin(), *portrait);
    for (const auto & s : *summaries) {
        doc["summaries"].push_back({{"id", s.id}, {"session", s.session_id ? json(s.session) : json(nullptr)}, {"text", s.text},
                                    {"upto_memory", s.upto_turn_id}, {"updated_at", s.updated_at}});
    }
    auto facts = store.facts().facts(*who, /*with_superseded=*/true, 1000000);
    if (!facts) return facts.error();
    doc["facts"] = json::array();
    for (const auto & f : *facts) {
        doc["facts"].push_back({{"id", f.id}, {"text", f.text}, {"ts", f.ts}, {"confidence", f.confidence},
                                {"reinforced", f.reinforced}, {"created_at", f.created_at},
                                {"superseded_by", f.superseded_by ? json(f.superseded_by) : json(nullptr)},
                                {"sources", f.sources}});
    }
    // Who the OS is with this person, every version kept.
    auto personas = store.personas().persona_history(*who, 1000000);
    if (!personas) return personas.error();
    auto onboarding = store.personas().onboarding(*who);
    if (!onboarding) return onboarding.error();
    doc["onboarding"] = onboarding->stage == onboarding_stage::not_begun ? json(nullptr) : json(stage_name(onboarding->stage));
    doc["persona_versions"] = json::array();
    for (const auto & p : *personas) {
        doc["persona_versions"].push_back({{"version", p.version}, {"name", p.name}, {"about", p.about}, {"traits", p.traits},
                                           {"interests", p.interests}, {"notes", p.notes}, {"source", p.source},
                                           {"reason", p.reason}, {"diff", p.diff}, {"created_at", p.created_at}});
    }
    // What the OS thought of saying first, and what it decided; their own limits.
    auto initiatives = store.initiatives().initiatives(*who, 1000000);
    if (!initiatives) return initiatives.error();
    auto limits = store.initiatives().initiative_limits(*who);
    if (!limits) return limits.error();
    doc["initiative_settings"] = {{"opted_out", limits->opted_out}, {"quiet_from_minute", limits->quiet_from},
                                  {"quiet_to_minute", limits->quiet_to}, {"utc_offset_minutes", limits->utc_offset},
                                  {"daily_cap", limits->daily_cap}, {"min_importance", limits->min_importance}};
    doc["initiatives"] = json::array();
    for (const auto & r : *initiatives) {
        doc["initiatives"].push_back({{"id", r.id}, {"kind", kind_name(r.kind)}, {"text", r.text}, {"reason", r.reason},
                                      {"importance", r.importance}, {"state", state_name(r.state)}, {"decision", r.decision},
                                      {"due_at", r.due_at}, {"created_at", r.created_at},
                                      {"decided_at", r.decided_at ? json(r.decided_at) : json(nullptr)},
                                      {"delivered_at", r.delivered_at ? json(r.delivered_at) : json(nullptr)},
                                      {"memory", r.source_turn ? json(r.source_turn) : json(nullptr)}});
    }
    std::string md = "# What OS1 remembers of " + name + "\n\nExported " + utc_text(now_unix) +
                     ". The complete record, for programs, is memories.json beside this file.\n";
    md += "\n## Core profile\n\n" + (profile->empty() ? std::string("(none)") : *profile) + "\n";
    md += "\n## Who OS1 is with you\n\n";
    if (personas->empty()) md += "(no persona yet)\n";
    for (const auto & p : *personas) {
        md += "- Version " + std::to_string(p.version) + " (" + utc_text(p.created_at) + ", " + p.reason + "): " + p.name +
              (p.about.empty() ? "" : ". " + p.about) + "\n";
    }
    if (!initiatives->empty()) {
        md += "\n## What OS1 thought of saying first\n\n";
        for (const auto & r : *initiatives) {
            md += "- " + utc_text(r.created_at) + ", " + kind_name(r.kind) + " (" + state_name(r.state) +
                  (r.decision.empty() ? "" : ": " + r.decision) + "): " + r.text + "\n";
        }
    }
    md += "\n## Summaries\n\n";
    if (summaries->empty()) md += "(none yet)\n";
    for (const auto & s : *summaries) md += "- " + (s.session_id ? "Conversation " + s.session : std::string("In short")) + ": " + s.text + "\n";
    md += "\n## Facts\n\n";
    if (facts->empty()) md += "(none yet)\n";
    for (const auto & f : *facts) {
        md += "- " + f.text + (f.superseded_by ? " (replaced by fact " + std::to_string(f.superseded_by) + ")" : "") +
              " (fact " + std::to_string(f.id) + ", from memories";
        for (const auto t : f.sources) md += " " + std::to_string(t);
        md += ")\n";
    }

    // Oldest first, a page at a time, so a long life does not need one huge query.
    std::vector<turn_record> all;
    for (int64_t before = 0;;) {
        auto page = store.turns().list_turns(*who, before, 1000);
        if (!page) return page.error();
        if (page->empty()) break;
        before = page->back().id;
        all.insert(all.end(), page->begin(), page->end());
    }
    std::reverse(all.begin(), all.end());
    auto feelings = store.feelings().emotions_between(*who, INT64_MIN, INT64_MAX, 100000000);
    if (!feelings) return feelings.error();
    std::map<int64_t, const emotion_reading *> feeling_of;
    for (const auto & f : *feelings) feeling_of[f.turn_id] = &f;
    std::string current;
    for (const auto & t : all) {
        json row = {{"id", t.id}, {"session", t.session}, {"ts", t.ts}, {"speaker", t.speaker}, {"role", role_name(t.role)},
                    {"text", t.text}};
        if (!t.ext_id.empty()) row["ext_id"] = t.ext_id;
        if (!t.recalled.empty()) row["recalled"] = t.recalled;
        if (const auto f = feeling_of.find(t.id); f != feeling_of.end()) {
            row["feeling"] = {{"label", f->second->label}, {"valence", f->second->valence}, {"arousal", f->second->arousal},
                              {"source", f->second->source}};
        }
        doc["turns"].push_back(std::move(row));
        if (t.session != current) {
            current = t.session;
            md += "\n## Conversation " + t.session + "\n\n";
        }
        md += "- " + utc_text(t.ts) + ", **" + t.speaker + "** (memory " + std::to_string(t.id) + "): " + t.text + "\n";
    }
    person_export out;
    out.json = doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    out.markdown = std::move(md);
    out.turns = all.size();
    out.sessions = sessions->size();
    return out;
}

result<std::string> export_archive(const person_export & e, int64_t now_unix) {
    return tar_archive({{"os1-export/memories.json", e.json}, {"os1-export/memories.md", e.markdown}}, now_unix);
}

}  // namespace os1::memory
