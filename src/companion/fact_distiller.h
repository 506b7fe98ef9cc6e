// Distillation: the model reads a person's new turns beside the facts already
// known and answers, under a grammar, with JSON: new facts citing the turns
// they come from, the known facts they contradict (superseded) or repeat
// (reinforced). The answer is checked whole: one bad item (a turn or fact id
// not in the batch, an empty text, a confidence outside 0..1, broken JSON)
// refuses all of it, the failure is counted and the turns are tried again
// later; what passes is stored in one transaction.
//
// Prepare and apply run where the store lives; the model's call between them
// must not (in the server it is an engine request, off the memory thread).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "llm/chat_types.h"
#include "memory/memory_store.h"
#include "os1/status.h"

namespace os1::companion {

struct distill_options {
    int max_turns = 40;        // new turns per distillation
    int min_turns = 8;         // fewer waiting: not worth a model call yet
    int known_facts = 30;      // current facts shown to the model, newest first
    int max_tokens = 1400;     // of the model's answer: the grammar's longest fits
};

struct distill_batch {
    memory::person_id person = 0;
    std::vector<memory::turn_record> turns;  // oldest first
    std::vector<memory::fact_record> facts;  // current, newest first
    int64_t upto_turn_id = 0;                // the last new turn in the batch
    std::vector<int64_t> redistilled;        // turns in it read again (memory_store::redistill_turns)
};

// The conversation id a distillation runs under in the engine: a client's ids
// are printable, this is not, so no client can name it.
const std::string & distill_conversation();

// The grammar of the answer (GBNF): at most 6 facts of at most 120 characters,
// each citing at most 4 turns.
const std::string & distill_grammar();

// The turns waiting to be distilled (an empty batch when fewer than min_turns wait,
// unless FORCE or some are to be read again), with the known facts.
result<distill_batch> prepare_distillation(memory::memory_store & store, memory::person_id who, const distill_options & o,
                                           bool force = false);

// The messages and generation settings for the model.
std::vector<llm::chat_message> distill_prompt(const distill_batch & b);
llm::generation_options distill_generation(const distill_options & o);

// The model's answer as store changes; invalid_argument naming what is wrong.
result<std::vector<memory::fact_change>> parse_distillation(std::string_view answer, const distill_batch & b);

// Parses and stores the answer (all or nothing), or counts the failure.
// Returns how many changes were stored.
result<size_t> apply_distillation(memory::memory_store & store, const distill_batch & b, std::string_view answer);

// All three at once for callers that may wait (os1 memory distill, tests):
// COMPLETE runs the model.
using completer = std::function<result<std::string>(const std::vector<llm::chat_message> &, const llm::generation_options &)>;
result<size_t> distill_now(memory::memory_store & store, memory::person_id who, const completer & complete,
                           const distill_options & o = {}, bool force = false);

}  // namespace os1::companion
