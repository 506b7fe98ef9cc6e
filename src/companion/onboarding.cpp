#include "companion/onboarding.h"

#include <cctype>

#include "base/utf8.h"
#include "companion/persona.h"

namespace os1::companion {
namespace {

// How each answer is labelled in the core profile, in the questions' order.
const char * const answer_labels[] = {"How they describe themselves", "What they hope for from their OS",
                                      "How they like to be spoken to"};
constexpr size_t max_answer_bytes = 500;  // three of them fit the core profile's limit

bool is_skip(const std::string & message) {
    std::string m;
    for (const char c : message) {
        if (std::isalpha(static_cast<unsigned char>(c)) || c == ' ') m += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const size_t a = m.find_first_not_of(' ');
    if (a == std::string::npos) return false;
    m = m.substr(a, m.find_last_not_of(' ') - a + 1);
    for (const char * s : {"skip", "skip it", "skip this", "skip them", "skip the interview", "skip the questions",
                           "skip please", "please skip"}) {
        if (m == s) return true;
    }
    return false;
}

status store_exchange(memory::memory_store & store, const turn_context & c, memory::person_id who, const std::string & said,
                      const std::string & reply) {
    return store.turns().add_turns(who, {turn_of(c, role::user, c.speaker, said), turn_of(c, role::assistant, c.assistant, reply)});
}

std::string answer_line(int question, const std::string & message) {
    std::string answer(utf8_prefix(message, max_answer_bytes));
    if (answer.size() < message.size()) answer += "...";
    for (char & ch : answer) {
        if (ch == '\n' || ch == '\r') ch = ' ';
    }
    return std::string(answer_labels[question]) + ": " + answer;
}

// The answer joins the core profile once (a retried step finds it there).
status record_answer(memory::memory_store & store, memory::person_id who, int question, const std::string & message) {
    auto own = store.profiles().profile(who);
    if (!own) return own.error();
    const std::string line = answer_line(question, message);
    if (("\n" + *own + "\n").find("\n" + line + "\n") != std::string::npos) return status::ok();
    const std::string text = own->empty() ? line : *own + "\n" + line;
    if (text.size() > memory::store_limits{}.max_profile_bytes) return status::ok();  // the person's own profile is full: kept as it is
    return store.profiles().set_profile(who, text);
}

result<onboarding_step> naming_step(memory::memory_store & store, memory::person_id who) {
    onboarding_step out;
    out.type = onboarding_step::kind::naming;
    out.person = who;
    auto own = store.profiles().profile(who);
    if (!own) return own.error();
    out.prompt = naming_prompt(*own);
    out.gen = naming_generation();
    return out;
}

onboarding_step reply_step(memory::person_id who, std::string reply) {
    onboarding_step out;
    out.type = onboarding_step::kind::reply;
    out.person = who;
    out.reply = std::move(reply);
    return out;
}

}  // namespace

const std::vector<std::string> & interview_questions() {
    static const std::vector<std::string> q = {
        "Hello. I'm a new kind of operating system, and before we begin I'd like to get to know you a little: three "
        "short questions (say \"skip\" if you'd rather not). First: how would you describe yourself?",
        "Thank you. What do you hope for from me? What would you like me to be in your days?",
        "And how do you like to be spoken to: gently, directly, with humour, briefly?",
    };
    return q;
}

const std::string & naming_conversation() {
    static const std::string id = "\x01" "naming";
    return id;
}

result<onboarding_step> onboarding_turn(memory::memory_store & store, const turn_context & c, const std::string & message,
                                        const onboarding_settings & s) {
    auto who = store.person(c.person, true);
    if (!who) return who.error();
    onboarding_step none;
    none.person = *who;
    auto state = store.personas().onboarding(*who);
    if (!state) return state.error();
    if (state->stage == memory::onboarding_stage::done || state->stage == memory::onboarding_stage::skipped) return none;
    const auto & questions = interview_questions();

    if (state->stage == memory::onboarding_stage::not_begun) {
        if (!s.enabled) return none;
        auto turns = store.turns().count_turns(*who);
        if (!turns) return turns.error();
        if (*turns > 0) {  // they talked with OS1 before it had an interview: no questions now
            auto current = store.personas().persona(*who);
            if (!current) return current.error();
            if (current->version == 0) {
                memory::persona_record p;
                p.name = s.default_name;
                p.source = "default";
                p.reason = "this relationship began before OS1 chose its own names";
                p.diff = persona_diff({}, p);
                if (auto v = store.personas().add_persona(*who, p, false); !v) return v.error();
            }
            if (auto st = store.personas().set_onboarding(*who, {memory::onboarding_stage::done, static_cast<int>(questions.size())}); !st) return st;
            return none;
        }
        if (auto st = store_exchange(store, c, *who, message, questions[0]); !st) return st;
        if (auto st = store.personas().set_onboarding(*who, {memory::onboarding_stage::interview, 0}); !st) return st;
        return reply_step(*who, questions[0]);
    }

    auto tail = store.turns().session_tail(*who, c.conversation, 2);
    if (!tail) return tail.error();
    if (state->stage == memory::onboarding_stage::naming) {  // a naming that did not finish: tried again
        if (tail->empty() || tail->back().role != role::user || tail->back().text != message) {
            if (auto id = store.turns().add_turn(*who, turn_of(c, role::user, c.speaker, message)); !id) return id.error();
        }
        return naming_step(store, *who);
    }

    const int q = std::min<int>(std::max(state->question, 0), static_cast<int>(questions.size()) - 1);
    // A retried request whose step was stored: the same reply, the state made whole.
    if (tail->size() == 2 && (*tail)[0].role == role::user && (*tail)[0].text == message && (*tail)[1].role == role::assistant) {
        for (size_t i = 1; i < questions.size(); ++i) {
            if ((*tail)[1].text != questions[i] || static_cast<int>(i) < q) continue;
            if (auto st = record_answer(store, *who, static_cast<int>(i) - 1, message); !st) return st;
            if (auto st = store.personas().set_onboarding(*who, {memory::onboarding_stage::interview, static_cast<int>(i)}); !st) return st;
            return reply_step(*who, questions[i]);
        }
        if ((*tail)[1].text == questions[0] && q == 0) return reply_step(*who, questions[0]);
    }
    if (is_skip(message)) {
        if (auto id = store.turns().add_turn(*who, turn_of(c, role::user, c.speaker, message)); !id) return id.error();
        if (auto st = store.personas().set_onboarding(*who, {memory::onboarding_stage::naming, q}); !st) return st;
        return naming_step(store, *who);
    }
    const int next = q + 1;
    if (next < static_cast<int>(questions.size())) {
        if (auto st = store_exchange(store, c, *who, message, questions[next]); !st) return st;
        if (auto st = record_answer(store, *who, q, message); !st) return st;
        if (auto st = store.personas().set_onboarding(*who, {memory::onboarding_stage::interview, next}); !st) return st;
        return reply_step(*who, questions[next]);
    }
    if (auto id = store.turns().add_turn(*who, turn_of(c, role::user, c.speaker, message)); !id) return id.error();
    if (auto st = record_answer(store, *who, q, message); !st) return st;
    if (auto st = store.personas().set_onboarding(*who, {memory::onboarding_stage::naming, next}); !st) return st;
    return naming_step(store, *who);
}

result<std::string> finish_naming(memory::memory_store & store, const turn_context & c, memory::person_id who,
                                  const result<std::string> & answer, const onboarding_settings & s) {
    auto state = store.personas().onboarding(who);
    if (!state) return state.error();
    const bool skipped = state->question < static_cast<int>(interview_questions().size());
    auto current = store.personas().persona(who);
    if (!current) return current.error();
    memory::persona_record p = *current;
    if (state->stage == memory::onboarding_stage::naming || current->version == 0) {  // not named meanwhile by another request
        auto chosen = answer ? parse_naming(*answer) : result<chosen_name>(answer.error());
        p = {};
        p.source = "onboarding";
        if (chosen) {
            p.name = chosen->name;
            p.about = chosen->about;
            p.reason = skipped ? "chose its own name (the interview was skipped)" : "chose its own name after the interview";
        } else {
            p.name = s.default_name;
            p.reason = "the model gave no valid name (" + chosen.error().message() + "): the default name";
        }
        p.diff = persona_diff({}, p);
        if (auto v = store.personas().add_persona(who, p, true); !v) return v.error();
        if (auto st = store.personas().set_onboarding(who, {skipped ? memory::onboarding_stage::skipped : memory::onboarding_stage::done, state->question}); !st) return st;
    }
    std::string reply = skipped ? "All right: we'll get to know each other as we go. " : "Thank you for telling me about yourself. ";
    reply += "I'd like to be called " + p.name + ".";
    if (!p.about.empty()) reply += " " + p.about;
    reply += " What would you like to talk about?";
    if (auto id = store.turns().add_turn(who, turn_of(c, role::assistant, c.assistant, reply)); !id) return id.error();
    return reply;
}

}  // namespace os1::companion
