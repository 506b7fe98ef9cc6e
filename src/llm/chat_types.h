// The words of a conversation as OS1's core sees them (no JSON, no tokens).
#pragma once

#include <cstdint>
#include <string>

#include "base/options.h"
#include "os1/role.h"

namespace os1::llm {

struct chat_message {
    os1::role role = os1::role::user;
    std::string content;
};

struct generation_options {
    sampling_options sampling;
    int max_tokens = 512;
    bool ignore_eos = false;  // keep going past end-of-generation (benchmarks)
    // A GBNF grammar (llama.cpp's, start rule "root") the reply must follow, so
    // that a model asked for JSON gives JSON; empty = free text.
    std::string grammar;
};

enum class stop_reason { end_of_turn, max_tokens, context_full, cancelled };
const char * stop_reason_name(stop_reason r);

struct reply_stats {
    int prompt_tokens = 0;     // the whole rendered prompt
    int computed_tokens = 0;   // prompt tokens actually evaluated (the rest came from the KV cache)
    int generated_tokens = 0;
    int dropped_messages = 0;  // old turns left out to fit the context
    double prompt_ms = 0;      // evaluating the prompt, until the first token is sampled
    double generate_ms = 0;
    stop_reason reason = stop_reason::end_of_turn;
};

}  // namespace os1::llm
