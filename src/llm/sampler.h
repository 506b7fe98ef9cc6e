// A llama.cpp sampler chain built from sampling_options (internal to src/llm).
#pragma once

#include <llama.h>

#include "base/options.h"

namespace os1::llm {

class sampler {
public:
    // temperature 0 = greedy; otherwise top-p, temperature, then a seeded draw.
    // ignore_eos: end-of-generation tokens can never be drawn (benchmarks).
    sampler(const llama_vocab * vocab, const sampling_options & opts, bool ignore_eos);
    ~sampler();
    sampler(const sampler &) = delete;
    sampler & operator=(const sampler &) = delete;

    // Draws from the logits of the last output of `ctx`, and records the token.
    llama_token sample(llama_context * ctx) { return sample_at(ctx, -1); }
    // Draws from the logits of the batch's token at `batch_index`.
    llama_token sample_at(llama_context * ctx, int batch_index);

    bool made_for(const sampling_options & opts, bool ignore_eos) const;

private:
    llama_sampler * chain_;
    sampling_options opts_;
    bool ignore_eos_;
};

}  // namespace os1::llm
