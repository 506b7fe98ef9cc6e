// Summaries, written by the model in the background: a session's (what was
// talked about) once it has grown or is over, rolling: the previous summary
// and the turns it does not cover give the new one; then the person's (who
// they are and what matters to them now), from the previous one and the
// session summaries newer than it. The answer is JSON under a grammar,
// bounded; it is stored only if what the job read is unchanged when it comes
// back (a turn forgotten while the model ran must not return in a summary).
//
// Prepare and apply run where the store lives; the model's call between them
// must not (in the server it is an engine request, off the memory thread).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "companion/fact_distiller.h"
#include "llm/chat_types.h"
#include "memory/memory_store.h"
#include "os1/status.h"

namespace os1::companion {

struct summary_options {
    int min_new_turns = 16;  // a session still going is summarized again after this many new turns
    int max_turns = 40;      // turns read per call (a longer session takes several)
    int max_sessions = 8;    // session summaries read for the person's
    int max_tokens = 640;    // of the answer: the grammar's longest (600 characters) fits
};

struct summary_job {
    memory::person_id person = 0;
    int64_t session_id = 0;                        // 0: the person's summary
    memory::summary_record previous;               // what it replaces (id 0: none)
    std::vector<memory::turn_record> turns;        // a session's new turns, oldest first
    std::vector<memory::summary_record> sessions;  // for the person's: newest first
    int64_t upto_turn_id = 0;
    bool empty() const { return turns.empty() && sessions.empty(); }
};

// The conversation id a summary runs under in the engine (no client can name it).
const std::string & summary_conversation();
// {"summary": "..."}: 1 to 600 characters.
const std::string & summary_grammar();

// The next summary due for WHO: a session's first, then the person's; an empty job when none is.
result<summary_job> prepare_summary(memory::memory_store & store, memory::person_id who, const summary_options & o);
std::vector<llm::chat_message> summary_prompt(const summary_job & j);
llm::generation_options summary_generation(const summary_options & o);
// The summary's text; invalid_argument naming what is wrong.
result<std::string> parse_summary(std::string_view answer);
// Checks that what J read is unchanged, then stores the answer: true when
// stored, false when it changed meanwhile (nothing stored; the next job reads
// it again); invalid_argument for a bad answer.
result<bool> apply_summary(memory::memory_store & store, const summary_job & j, std::string_view answer);
// Every summary due, one model call each (at most MAX_CALLS): how many were stored.
result<size_t> summarize_now(memory::memory_store & store, memory::person_id who, const completer & complete,
                             const summary_options & o = {}, int max_calls = 20);

}  // namespace os1::companion
