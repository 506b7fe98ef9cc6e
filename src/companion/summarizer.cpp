#include "companion/summarizer.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "base/utf8.h"
#include "memory/export.h"

namespace os1::companion {
namespace {

using json = nlohmann::json;

constexpr size_t max_summary_chars = 600;

const char * const session_instructions =
    "You keep the long-term memory of a companion for one person. Summarize the conversation in at most 600 "
    "characters: what was talked about, what happened, what was decided or planned, and how the person felt. "
    "Write in the third person, plainly, with names and dates where they matter. When there is an earlier summary, "
    "fold the new turns into it. Answer with JSON only: {\"summary\": \"...\"}";

const char * const person_instructions =
    "You keep the long-term memory of a companion for one person. From the summaries of their conversations (and "
    "the earlier portrait, if any), write a portrait of the person in at most 600 characters: who they are, the "
    "people and things that matter to them, what is going on in their life now. Third person, plain, no guesses "
    "beyond what is written. Answer with JSON only: {\"summary\": \"...\"}";

bool same(const memory::summary_record & a, const memory::summary_record & b) {
    return a.id == b.id && a.upto_turn_id == b.upto_turn_id && a.text == b.text;
}

// Whether everything J read is still as it was.
result<bool> unchanged(memory::memory_store & store, const summary_job & j) {
    auto now = store.summaries().summary(j.person, j.session_id);
    if (!now) return now.error();
    if (!same(*now, j.previous)) return false;
    if (j.session_id != 0) return store.turns().turns_unchanged(j.person, j.turns);
    for (const auto & s : j.sessions) {
        auto cur = store.summaries().summary(j.person, s.session_id);
        if (!cur) return cur.error();
        if (!same(*cur, s)) return false;
    }
    return true;
}

}  // namespace

const std::string & summary_conversation() {
    static const std::string id = "\x01" "summary";
    return id;
}

const std::string & summary_grammar() {
    static const std::string g = R"(root ::= "{\"summary\": \"" chr{1,600} "\"}"
chr ::= [^"\\\x00-\x1f] | "\\" ["\\/nt]
)";
    return g;
}

result<summary_job> prepare_summary(memory::memory_store & store, memory::person_id who, const summary_options & o) {
    summary_job j;
    j.person = who;
    auto due = store.summaries().session_summary_due(who, o.min_new_turns);
    if (!due) return due.error();
    if (due->session_id != 0) {
        j.session_id = due->session_id;
        j.previous = due->previous;
        auto turns = store.turns().session_turns_after(who, j.session_id, j.previous.upto_turn_id, o.max_turns);
        if (!turns) return turns.error();
        j.turns = std::move(*turns);
        if (!j.turns.empty()) j.upto_turn_id = j.turns.back().id;
        return j;
    }
    auto previous = store.summaries().summary(who, 0);
    if (!previous) return previous.error();
    j.previous = *previous;
    auto sessions = store.summaries().session_summaries(who, j.previous.upto_turn_id, o.max_sessions);
    if (!sessions) return sessions.error();
    j.sessions = std::move(*sessions);
    if (!j.sessions.empty()) j.upto_turn_id = j.sessions.front().upto_turn_id;
    return j;
}

std::vector<llm::chat_message> summary_prompt(const summary_job & j) {
    std::string body;
    if (j.session_id != 0) {
        body = "Earlier summary: " + (j.previous.id ? j.previous.text : std::string("(none)")) + "\n\nTurns:\n";
        for (const auto & t : j.turns) body += memory::utc_text(t.ts).substr(0, 10) + " " + t.speaker + ": " + t.text + "\n";
        return {{role::system, session_instructions}, {role::user, body}};
    }
    body = "Earlier portrait: " + (j.previous.id ? j.previous.text : std::string("(none)")) + "\n\nConversations, oldest first:\n";
    for (auto it = j.sessions.rbegin(); it != j.sessions.rend(); ++it) body += "- " + it->text + "\n";
    return {{role::system, person_instructions}, {role::user, body}};
}

llm::generation_options summary_generation(const summary_options & o) {
    llm::generation_options g;
    g.sampling.temperature = 0;
    g.max_tokens = o.max_tokens;
    g.grammar = summary_grammar();
    return g;
}

result<std::string> parse_summary(std::string_view answer) {
    const json doc = json::parse(answer, nullptr, false);
    const auto refused = [](const std::string & why) {
        return status(status_code::invalid_argument, "the model's summary was refused: " + why);
    };
    if (doc.is_discarded() || !doc.is_object()) return refused("the answer is not a JSON object");
    const auto it = doc.find("summary");
    if (it == doc.end() || !it->is_string()) return refused("no summary string");
    std::string text = it->get<std::string>();
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
    if (text.empty()) return refused("the summary is empty");
    if (!utf8_is_valid(text)) return refused("the summary is not UTF-8");
    size_t chars = 0;
    for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (chars > max_summary_chars) return refused("the summary is over 600 characters");
    return text;
}

result<bool> apply_summary(memory::memory_store & store, const summary_job & j, std::string_view answer) {
    auto text = parse_summary(answer);
    if (!text) {
        spdlog::warn("memory: {}", text.error().message());
        return text.error();
    }
    auto ok = unchanged(store, j);
    if (!ok) return ok.error();
    if (!*ok) return false;
    if (auto st = store.summaries().put_summary(j.person, j.session_id, *text, j.upto_turn_id); !st) return st;
    return true;
}

result<size_t> summarize_now(memory::memory_store & store, memory::person_id who, const completer & complete,
                             const summary_options & o, int max_calls) {
    size_t stored = 0;
    for (int i = 0; i < max_calls; ++i) {
        auto j = prepare_summary(store, who, o);
        if (!j) return j.error();
        if (j->empty()) break;
        auto answer = complete(summary_prompt(*j), summary_generation(o));
        if (!answer) return answer.error();
        auto done = apply_summary(store, *j, *answer);
        if (!done) return done.error();
        stored += *done ? 1 : 0;
    }
    return stored;
}

}  // namespace os1::companion
