#include "companion/persona_evolution.h"

#include <nlohmann/json.hpp>

#include "companion/persona.h"
#include "memory/export.h"

namespace os1::companion {
namespace {

using json = nlohmann::json;

const char * const instructions =
    "You are an operating system with a character of your own, in a relationship with one person. Below are "
    "your current persona and your latest conversation with them. Decide whether your character should grow: "
    "a trait the conversation brought out, an interest you now share, something to note about your "
    "relationship (what matters to them, how you two talk, a running joke). Keep what still holds. If nothing "
    "should change, answer {\"change\": false}. Otherwise answer with the whole new persona and why: "
    "{\"change\": true, \"traits\": [...], \"interests\": [...], \"notes\": \"...\", \"reason\": \"...\"}. "
    "JSON only; at most 8 traits and 8 interests of a few words each.";

std::vector<std::string> strings(const json & j, const char * key) {
    std::vector<std::string> out;
    for (const auto & v : j[key]) {
        std::string s = v.get<std::string>();
        if (!s.empty()) out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

const std::string & evolution_conversation() {
    static const std::string id = "\x01" "persona";
    return id;
}

const std::string & evolution_grammar() {
    static const std::string g = R"(root ::= "{\"change\": false}" | "{\"change\": true, \"traits\": " list ", \"interests\": " list ", \"notes\": " notes ", \"reason\": " reason "}"
list ::= "[" (item (", " item){0,7})? "]"
item ::= "\"" chr{1,40} "\""
notes ::= "\"" chr{0,600} "\""
reason ::= "\"" chr{1,200} "\""
chr ::= [^"\\\x00-\x1f]
)";
    return g;
}

result<evolution_job> prepare_evolution(memory::memory_store & store, memory::person_id who, const std::string & default_name,
                                        int last_turns) {
    evolution_job j;
    j.person = who;
    auto stage = store.personas().onboarding(who);
    if (!stage) return stage.error();
    if (stage->stage == memory::onboarding_stage::interview || stage->stage == memory::onboarding_stage::naming) return j;  // it has not named itself yet
    auto current = store.personas().persona(who);
    if (!current) return current.error();
    j.current = std::move(*current);
    if (j.current.version == 0) j.current.name = default_name;
    auto turns = store.turns().list_turns(who, 0, last_turns);
    if (!turns) return turns.error();
    j.turns.assign(turns->rbegin(), turns->rend());
    auto portrait = store.summaries().summary(who, 0);
    if (!portrait) return portrait.error();
    j.portrait = portrait->text;
    return j;
}

std::vector<llm::chat_message> evolution_prompt(const evolution_job & j) {
    memory::persona_record shown = j.current;
    shown.version = 1;  // persona_text shows nothing for version 0
    std::string talk;
    for (const auto & t : j.turns) talk += memory::utc_text(t.ts).substr(0, 10) + " " + t.speaker + ": " + t.text + "\n";
    std::string user = "Your persona:\n" + persona_text(shown) + "\n\n";
    if (!j.portrait.empty()) user += "Who they are, in short: " + j.portrait + "\n\n";
    user += "Your latest conversation:\n" + talk;
    return {{role::system, instructions}, {role::user, user}};
}

llm::generation_options evolution_generation() {
    llm::generation_options g;
    g.sampling.temperature = 0.3f;
    g.max_tokens = 900;  // the grammar's longest answer fits
    g.grammar = evolution_grammar();
    return g;
}

result<std::optional<memory::persona_record>> parse_evolution(std::string_view answer, const evolution_job & j) {
    const json doc = json::parse(answer, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("change") || !doc["change"].is_boolean()) {
        return status(status_code::invalid_argument, "the proposal is not {\"change\": ...}");
    }
    if (!doc["change"].get<bool>()) return std::optional<memory::persona_record>();
    for (const char * key : {"traits", "interests"}) {
        if (!doc.contains(key) || !doc[key].is_array()) return status(status_code::invalid_argument, std::string("no list of ") + key);
        if (doc[key].size() > 8) return status(status_code::invalid_argument, std::string("more than 8 ") + key);
        for (const auto & v : doc[key]) {
            if (!v.is_string() || v.get<std::string>().size() > 160) {
                return status(status_code::invalid_argument, std::string("the ") + key + " must be short texts");
            }
        }
    }
    if (!doc.contains("notes") || !doc["notes"].is_string() || !doc.contains("reason") || !doc["reason"].is_string() ||
        doc["reason"].get<std::string>().empty()) {
        return status(status_code::invalid_argument, "a change needs notes and a reason");
    }
    memory::persona_record p = j.current;
    p.traits = strings(doc, "traits");
    p.interests = strings(doc, "interests");
    p.notes = doc["notes"].get<std::string>();
    p.source = "evolve";
    p.reason = doc["reason"].get<std::string>();
    p.diff = persona_diff(j.current, p);
    if (p.diff.empty()) return std::optional<memory::persona_record>();
    return std::optional<memory::persona_record>(std::move(p));
}

result<int64_t> apply_evolution(memory::memory_store & store, const evolution_job & j, std::string_view answer) {
    auto proposed = parse_evolution(answer, j);
    if (!proposed) return proposed.error();
    if (!*proposed) return int64_t{0};
    // Stale if the persona changed meanwhile (the person renamed or rolled back): their change stands.
    auto now = store.personas().persona(j.person);
    if (!now) return now.error();
    if (now->version != j.current.version) return int64_t{0};
    // Not at once: the conversations under way keep the persona they began with.
    return store.personas().add_persona(j.person, **proposed, /*at_once=*/false);
}

result<int64_t> evolve_now(memory::memory_store & store, memory::person_id who, const completer & complete,
                           const std::string & default_name) {
    auto j = prepare_evolution(store, who, default_name);
    if (!j) return j.error();
    if (j->turns.empty()) return int64_t{0};
    auto answer = complete(evolution_prompt(*j), evolution_generation());
    if (!answer) return answer.error();
    return apply_evolution(store, *j, *answer);
}

}  // namespace os1::companion
