// The persona evolves: in the background the model reads its current persona
// and the latest turns with the person, and proposes, under a grammar, new
// traits, interests and notes on the relationship with a reason, or no change.
// A proposal becomes the next version (source "evolve", with its diff); it is
// bounded (at most 8 traits and 8 interests of 40 characters, notes of 600,
// a reason of 200) and never renames the OS (the person does that). A
// conversation keeps the persona it began with: the change shows from the
// next one on.
//
// Prepare and apply run where the store lives; the model's call between them
// must not (in the server it is an engine request, off the memory thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "companion/fact_distiller.h"
#include "llm/chat_types.h"
#include "memory/memory_store.h"
#include "os1/status.h"

namespace os1::companion {

struct evolution_job {
    memory::person_id person = 0;
    memory::persona_record current;          // version 0: none yet (DEFAULT_NAME is its name)
    std::vector<memory::turn_record> turns;  // the latest, oldest first
    std::string portrait;                    // the person's summary, if any
};

// The conversation id it runs under in the engine (no client can name it).
const std::string & evolution_conversation();
const std::string & evolution_grammar();

// The job for WHO: the current persona and the last LAST_TURNS turns (an
// empty job, no turns, when they have none).
result<evolution_job> prepare_evolution(memory::memory_store & store, memory::person_id who, const std::string & default_name,
                                        int last_turns = 24);
std::vector<llm::chat_message> evolution_prompt(const evolution_job & j);
llm::generation_options evolution_generation();
// The proposed persona, or nullopt for no change (also when it equals the
// current one); invalid_argument for an answer that is not the grammar's.
result<std::optional<memory::persona_record>> parse_evolution(std::string_view answer, const evolution_job & j);
// Parses and stores the answer as the next version: its number, 0 for no change.
result<int64_t> apply_evolution(memory::memory_store & store, const evolution_job & j, std::string_view answer);
// All three with a model called in place (os1 chat, tests).
result<int64_t> evolve_now(memory::memory_store & store, memory::person_id who, const completer & complete,
                           const std::string & default_name);

}  // namespace os1::companion
