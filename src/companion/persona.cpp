#include "companion/persona.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "base/utf8.h"

namespace os1::companion {
namespace {

using json = nlohmann::json;

std::string joined(const std::vector<std::string> & items) {
    std::string out;
    for (const auto & i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string trimmed(std::string_view s) {
    const size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string_view::npos) return "";
    const size_t b = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(a, b - a + 1));
}

void diff_field(std::string & out, const char * field, const std::string & a, const std::string & b) {
    if (a == b) return;
    out += std::string(field) + ": " + (a.empty() ? "(none)" : a) + " -> " + (b.empty() ? "(none)" : b) + "\n";
}

void diff_items(std::string & out, const char * field, const std::vector<std::string> & a, const std::vector<std::string> & b) {
    std::string line;
    for (const auto & x : b) {
        if (std::find(a.begin(), a.end(), x) == a.end()) line += (line.empty() ? "" : ", ") + ("+" + x);
    }
    for (const auto & x : a) {
        if (std::find(b.begin(), b.end(), x) == b.end()) line += (line.empty() ? "" : ", ") + ("-" + x);
    }
    if (!line.empty()) out += std::string(field) + ": " + line + "\n";
}

const char * const naming_instructions =
    "You are a new operating system with a voice and a self, meeting the person you will talk with every day. "
    "Choose a name for yourself: one you like, that suits who you are and who they are. Then say in one or two "
    "sentences, in the first person, who you are. Answer with JSON only: {\"name\": \"...\", \"about\": \"...\"}.";

}  // namespace

std::string persona_text(const memory::persona_record & p) {
    if (p.version == 0) return "";
    std::string out = "With this person your name is " + p.name + ".";
    if (!p.about.empty()) out += " How you describe yourself: " + p.about;
    if (!p.traits.empty()) out += "\nYour character: " + joined(p.traits) + ".";
    if (!p.interests.empty()) out += "\nWhat interests you: " + joined(p.interests) + ".";
    if (!p.notes.empty()) out += "\nYour notes on this relationship: " + p.notes;
    return out;
}

std::string persona_diff(const memory::persona_record & before, const memory::persona_record & after) {
    std::string out;
    diff_field(out, "name", before.name, after.name);
    diff_field(out, "about", before.about, after.about);
    diff_items(out, "traits", before.traits, after.traits);
    diff_items(out, "interests", before.interests, after.interests);
    diff_field(out, "notes", before.notes, after.notes);
    if (!out.empty()) out.pop_back();
    return out;
}

result<memory::persona_record> rename_persona(memory::memory_store & store, memory::person_id who, std::string_view name) {
    auto n = checked_name(name);
    if (!n) return n.error();
    auto current = store.personas().persona(who);
    if (!current) return current.error();
    memory::persona_record p = *current;
    p.name = *n;
    p.source = "rename";
    p.reason = "the person renamed the OS";
    p.diff = persona_diff(*current, p);
    auto v = store.personas().add_persona(who, p, true);
    if (!v) return v.error();
    auto state = store.personas().onboarding(who);
    if (!state) return state.error();
    if (state->stage == memory::onboarding_stage::interview || state->stage == memory::onboarding_stage::naming ||
        state->stage == memory::onboarding_stage::not_begun) {
        if (auto st = store.personas().set_onboarding(who, {memory::onboarding_stage::skipped, state->question}); !st) return st;
    }
    return store.personas().persona_version(who, *v);
}

result<memory::persona_record> rollback_persona(memory::memory_store & store, memory::person_id who, int64_t version) {
    auto old = store.personas().persona_version(who, version);
    if (!old) return old.error();
    auto current = store.personas().persona(who);
    if (!current) return current.error();
    memory::persona_record p = *old;
    p.source = "rollback";
    p.reason = "rolled back to version " + std::to_string(version);
    p.diff = persona_diff(*current, p);
    auto v = store.personas().add_persona(who, p, true);
    if (!v) return v.error();
    return store.personas().persona_version(who, *v);
}

result<std::string> checked_name(std::string_view name) {
    std::string n = trimmed(name);
    if (n.empty()) return status(status_code::invalid_argument, "a name must not be empty");
    if (!utf8_is_valid(n)) return status(status_code::invalid_argument, "a name must be valid UTF-8");
    if (utf8_length(n) > 40) return status(status_code::invalid_argument, "a name is at most 40 characters");
    bool letter = false;
    for (const unsigned char c : n) {
        if (c < 0x20 || c == 0x7f) return status(status_code::invalid_argument, "a name must be one line of text");
        if (std::isalnum(c) || c >= 0x80) letter = true;
    }
    if (!letter) return status(status_code::invalid_argument, "a name needs at least one letter");
    return n;
}

const std::string & naming_grammar() {
    static const std::string g = R"(root ::= "{\"name\": \"" name "\", \"about\": \"" about "\"}"
name ::= word (" " word)?
word ::= [A-Z] [a-z]{1,14}
about ::= chr{10,240}
chr ::= [^"\\\x00-\x1f]
)";
    return g;
}

std::vector<llm::chat_message> naming_prompt(const std::string & profile) {
    const std::string said = profile.empty() ? "(they preferred not to say yet)" : profile;
    return {{role::system, naming_instructions},
            {role::user, "What the person told you about themselves:\n" + said + "\n\nYour name and who you are, as JSON:"}};
}

llm::generation_options naming_generation() {
    llm::generation_options g;
    g.sampling.temperature = 0.7f;  // a name is a choice, not a lookup
    g.max_tokens = 160;             // the grammar's longest answer fits
    g.grammar = naming_grammar();
    return g;
}

result<chosen_name> parse_naming(std::string_view answer) {
    const json doc = json::parse(answer, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return status(status_code::invalid_argument, "the answer is not a JSON object");
    const auto name = doc.find("name");
    const auto about = doc.find("about");
    if (name == doc.end() || !name->is_string()) return status(status_code::invalid_argument, "the answer has no name");
    auto n = checked_name(name->get<std::string>());
    if (!n) return n.error();
    chosen_name out{*n, ""};
    if (about != doc.end() && about->is_string()) out.about = trimmed(about->get<std::string>());
    return out;
}

}  // namespace os1::companion
