// A llama.cpp sampler chain built from sampling_options (internal to src/llm).
#pragma once

#include <llama.h>

#include <string>

#include "base/options.h"

namespace os1::llm {

class sampler {
public:
    // temperature 0 = greedy; otherwise top-p, temperature, then a seeded draw.
    // ignore_eos: end-of-generation tokens can never be drawn (benchmarks).
    // GRAMMAR (GBNF, "root"): only tokens it allows can be drawn; check it
    // first with grammar_error().
    sampler(const llama_vocab * vocab, const sampling_options & opts, bool ignore_eos, const std::string & grammar = "");
    ~sampler();
    sampler(const sampler &) = delete;
    sampler & operator=(const sampler &) = delete;

    // Draws from the logits of the last output of `ctx`, and records the token.
    llama_token sample(llama_context * ctx) { return sample_at(ctx, -1); }
    // Draws from the logits of the batch's token at `batch_index`.
    llama_token sample_at(llama_context * ctx, int batch_index);

    // A new sampler is needed for a grammar: its state is one reply's.
    bool made_for(const sampling_options & opts, bool ignore_eos) const;

    // "" when GRAMMAR parses, else why not (invalid_argument material).
    static std::string grammar_error(const llama_vocab * vocab, const std::string & grammar);

private:
    llama_sampler * chain_;
    sampling_options opts_;
    bool ignore_eos_;
    bool has_grammar_ = false;
};

}  // namespace os1::llm
