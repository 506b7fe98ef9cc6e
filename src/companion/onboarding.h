// The first-run interview: a new person's first conversation opens with three
// short questions (how they describe themselves, what they hope for from
// their OS, how they like to be spoken to); the answers become their core
// profile; then the model chooses its own name and self-description under a
// grammar (persona.h), which become the persona's first version. The person
// may say "skip" at any question. People who talked with OS1 before it had
// an interview are not asked: they get the operator's default name.
//
// The questions and the closing reply are the OS's turns, stored like any
// other; each step stores the person's message and the reply together, so a
// retried request gets the same reply and never advances twice.
//
// Threads: these run where the store lives; the naming call to the model
// happens between onboarding_turn and finish_naming, off that thread.
#pragma once

#include <string>
#include <vector>

#include "companion/turn_memory.h"
#include "llm/chat_types.h"
#include "memory/memory_store.h"
#include "os1/status.h"

namespace os1::companion {

struct onboarding_settings {
    bool enabled = true;               // new people are interviewed
    std::string default_name = "OS1";  // people from before the interview; a naming that fails
};

struct onboarding_step {
    enum class kind {
        none,    // not onboarding: an ordinary turn
        reply,   // REPLY is what the OS says (stored already)
        naming,  // ask the model PROMPT with GEN, then finish_naming with its answer
    };
    kind type = kind::none;
    std::string reply;
    std::vector<llm::chat_message> prompt;
    llm::generation_options gen;
    memory::person_id person = 0;
};

// The interview's questions, in order.
const std::vector<std::string> & interview_questions();

// The conversation id the naming call runs under in the engine (not printable:
// no client can name it).
const std::string & naming_conversation();

// Before an ordinary turn: where the person is in the interview decides
// whether MESSAGE is an answer (stored, with the next question as the reply),
// the end of it (naming), or an ordinary message (kind none, nothing stored).
result<onboarding_step> onboarding_turn(memory::memory_store & store, const turn_context & c, const std::string & message,
                                        const onboarding_settings & s);

// The model's ANSWER to the naming prompt (an error when it had none): the
// name and self-description (the default name when the answer is not valid)
// become the persona's first version, the interview is over, and the reply
// that introduces the OS is stored and returned.
result<std::string> finish_naming(memory::memory_store & store, const turn_context & c, memory::person_id who,
                                  const result<std::string> & answer, const onboarding_settings & s);

}  // namespace os1::companion
