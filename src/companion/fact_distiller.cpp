#include "companion/fact_distiller.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "memory/export.h"

namespace os1::companion {
namespace {

using json = nlohmann::json;

const char * const instructions =
    "You keep the long-term memory of a companion for one person. From the new conversation turns, write down "
    "lasting facts about the person and their world: people, places, plans, likes, events and when they happen. "
    "Each fact is one short sentence in the third person that makes sense on its own. Cite the numbers of the turns "
    "each fact comes from in sources. When a new fact contradicts a known fact, put the known fact's number in "
    "supersedes. When it only repeats a known fact, put that number in reinforces. Confidence is 0.9 for what is "
    "said plainly, lower for what is only implied. Small talk gives no facts: answer {\"facts\": []}. Answer with "
    "JSON only.";

std::string fail(const std::string & why) { return "the model's distillation was refused: " + why; }

std::vector<int64_t> id_list(const json & j, const char * field, const std::string & where) {
    const auto it = j.find(field);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_array()) throw std::invalid_argument(where + ": " + field + " is not a list");
    std::vector<int64_t> out;
    for (const auto & v : *it) {
        if (!v.is_number_integer()) throw std::invalid_argument(where + ": " + field + " holds a non-number");
        out.push_back(v.get<int64_t>());
    }
    return out;
}

}  // namespace

const std::string & distill_conversation() {
    static const std::string id = "\x01" "distill";
    return id;
}

const std::string & distill_grammar() {
    // Bounded everywhere, so that even a model that only says noise ends its
    // answer within distill_options::max_tokens (6 facts of about 200 tokens).
    static const std::string g = R"(root ::= "{\"facts\": [" (fact (", " fact){0,5})? "]}"
fact ::= "{\"text\": " str ", \"sources\": " ids ", \"supersedes\": " opt ", \"reinforces\": " (num | "null") ", \"confidence\": " conf "}"
ids ::= "[" num (", " num){0,3} "]"
opt ::= "[]" | ids
num ::= [1-9] [0-9]{0,11}
conf ::= "0." [0-9] | "1.0"
str ::= "\"" chr{1,120} "\""
chr ::= [^"\\\x00-\x1f] | "\\" ["\\/nt]
)";
    return g;
}

result<distill_batch> prepare_distillation(memory::memory_store & store, memory::person_id who, const distill_options & o,
                                           bool force) {
    distill_batch b;
    b.person = who;
    auto progress = store.facts().distill_progress(who);
    if (!progress) return progress.error();
    // First the turns whose facts went with a forgotten or corrected turn:
    // what they said is to be learned again from what remains.
    auto again = store.facts().redistill_turns(who, o.max_turns);
    if (!again) return again.error();
    auto turns = store.turns().turns_after(who, progress->upto_turn_id, o.max_turns - static_cast<int>(again->size()));
    if (!turns) return turns.error();
    if (again->empty() && (turns->empty() || (!force && static_cast<int>(turns->size()) < o.min_turns))) return b;
    b.upto_turn_id = turns->empty() ? progress->upto_turn_id : turns->back().id;
    for (auto & t : *again) {
        b.redistilled.push_back(t.id);
        if (t.id <= progress->upto_turn_id) b.turns.push_back(std::move(t));  // a newer one comes with the new turns
    }
    b.turns.insert(b.turns.end(), std::make_move_iterator(turns->begin()), std::make_move_iterator(turns->end()));
    auto facts = store.facts().facts(who, /*with_superseded=*/false, o.known_facts);
    if (!facts) return facts.error();
    b.facts = std::move(*facts);
    return b;
}

std::vector<llm::chat_message> distill_prompt(const distill_batch & b) {
    std::string known;
    for (const auto & f : b.facts) known += "[" + std::to_string(f.id) + "] " + f.text + "\n";
    std::string turns;
    for (const auto & t : b.turns) {
        turns += "[" + std::to_string(t.id) + "] " + memory::utc_text(t.ts).substr(0, 10) + " " + t.speaker + ": " + t.text + "\n";
    }
    return {{role::system, instructions},
            {role::user, "Known facts:\n" + (known.empty() ? std::string("(none)\n") : known) + "\nNew turns:\n" + turns}};
}

llm::generation_options distill_generation(const distill_options & o) {
    llm::generation_options g;
    g.sampling.temperature = 0;  // the same turns give the same facts
    g.max_tokens = o.max_tokens;
    g.grammar = distill_grammar();
    return g;
}

result<std::vector<memory::fact_change>> parse_distillation(std::string_view answer, const distill_batch & b) {
    const json doc = json::parse(answer, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return status(status_code::invalid_argument, fail("the answer is not a JSON object"));
    }
    const auto facts = doc.find("facts");
    if (facts == doc.end() || !facts->is_array()) return status(status_code::invalid_argument, fail("no list of facts"));
    std::map<int64_t, int64_t> turn_time;
    for (const auto & t : b.turns) turn_time[t.id] = t.ts;
    std::set<int64_t> known;
    for (const auto & f : b.facts) known.insert(f.id);
    std::vector<memory::fact_change> out;
    try {
        for (size_t i = 0; i < facts->size(); ++i) {
            const json & item = (*facts)[i];
            const std::string where = "fact " + std::to_string(i + 1);
            if (!item.is_object()) throw std::invalid_argument(where + " is not an object");
            memory::fact_change c;
            const auto text = item.find("text");
            if (text == item.end() || !text->is_string() || text->get<std::string>().empty()) {
                throw std::invalid_argument(where + " has no text");
            }
            c.fact.text = text->get<std::string>();
            c.fact.sources = id_list(item, "sources", where);
            if (c.fact.sources.empty()) throw std::invalid_argument(where + " cites no turn");
            for (const int64_t id : c.fact.sources) {
                if (!turn_time.count(id)) throw std::invalid_argument(where + " cites turn " + std::to_string(id) + ", not one of the new turns");
                c.fact.ts = std::max(c.fact.ts, turn_time[id]);
            }
            c.fact.supersedes = id_list(item, "supersedes", where);
            for (const int64_t id : c.fact.supersedes) {
                if (!known.count(id)) throw std::invalid_argument(where + " supersedes fact " + std::to_string(id) + ", not a known fact");
            }
            if (const auto r = item.find("reinforces"); r != item.end() && !r->is_null()) {
                if (!r->is_number_integer() || !known.count(r->get<int64_t>())) {
                    throw std::invalid_argument(where + " reinforces a fact that is not a known fact");
                }
                c.reinforce_id = r->get<int64_t>();
            }
            const auto conf = item.find("confidence");
            if (conf == item.end() || !conf->is_number() || conf->get<double>() < 0 || conf->get<double>() > 1) {
                throw std::invalid_argument(where + " has no confidence from 0 to 1");
            }
            c.fact.confidence = conf->get<double>();
            out.push_back(std::move(c));
        }
    } catch (const std::exception & e) {
        return status(status_code::invalid_argument, fail(e.what()));
    }
    return out;
}

namespace {

// Whether the turns and facts B showed the model are all still there, unchanged:
// a turn forgotten or corrected while the model ran must not come back in a fact.
result<bool> batch_unchanged(memory::memory_store & store, const distill_batch & b) {
    auto turns = store.turns().turns_unchanged(b.person, b.turns);
    if (!turns || !*turns) return turns;
    std::vector<int64_t> ids;
    for (const auto & f : b.facts) ids.push_back(f.id);
    auto facts = store.facts().facts_by_id(b.person, ids);
    if (!facts) return facts.error();
    if (facts->size() != b.facts.size()) return false;
    for (const auto & f : *facts) {
        const auto was = std::find_if(b.facts.begin(), b.facts.end(), [&](const memory::fact_record & r) { return r.id == f.id; });
        if (was == b.facts.end() || was->text != f.text) return false;
    }
    return true;
}

}  // namespace

result<size_t> apply_distillation(memory::memory_store & store, const distill_batch & b, std::string_view answer) {
    auto same = batch_unchanged(store, b);
    if (!same) return same.error();
    if (!*same) {
        // Not the model's fault: nothing is counted, and the next batch reads what is there now.
        spdlog::info("memory: a distillation was set aside: its turns or facts changed while the model ran");
        return size_t{0};
    }
    auto changes = parse_distillation(answer, b);
    status st = changes ? store.facts().apply_facts(b.person, *changes, b.upto_turn_id, b.redistilled) : changes.error();
    if (!st) {
        spdlog::warn("memory: {}", st.message());
        if (auto noted = store.facts().note_distill_failure(b.person, st.message()); !noted) return noted;
        return st;
    }
    return changes->size();
}

result<size_t> distill_now(memory::memory_store & store, memory::person_id who, const completer & complete,
                           const distill_options & o, bool force) {
    auto b = prepare_distillation(store, who, o, force);
    if (!b) return b.error();
    if (b->turns.empty()) return size_t{0};
    auto answer = complete(distill_prompt(*b), distill_generation(o));
    if (!answer) {
        (void)store.facts().note_distill_failure(who, answer.error().message());
        return answer.error();
    }
    return apply_distillation(store, *b, *answer);
}

}  // namespace os1::companion
