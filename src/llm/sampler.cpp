#include "llm/sampler.h"

#include <cmath>
#include <vector>

namespace os1::llm {

sampler::sampler(const llama_vocab * vocab, const sampling_options & opts, bool ignore_eos, const std::string & grammar)
    : chain_(llama_sampler_chain_init(llama_sampler_chain_default_params())), opts_(opts), ignore_eos_(ignore_eos) {
    if (ignore_eos) {
        std::vector<llama_logit_bias> bias;
        const int n_vocab = llama_vocab_n_tokens(vocab);
        for (llama_token t = 0; t < n_vocab; ++t) {
            if (llama_vocab_is_eog(vocab, t)) bias.push_back({t, -INFINITY});
        }
        llama_sampler_chain_add(chain_, llama_sampler_init_logit_bias(n_vocab, static_cast<int32_t>(bias.size()), bias.data()));
    }
    if (!grammar.empty()) {
        // Before any choice: what the grammar forbids is never drawn.
        if (llama_sampler * g = llama_sampler_init_grammar(vocab, grammar.c_str(), "root")) {
            llama_sampler_chain_add(chain_, g);
            has_grammar_ = true;
        }
    }
    if (opts.temperature <= 0.0f) {
        llama_sampler_chain_add(chain_, llama_sampler_init_greedy());
    } else {
        if (opts.top_p < 1.0f) llama_sampler_chain_add(chain_, llama_sampler_init_top_p(opts.top_p, 1));
        llama_sampler_chain_add(chain_, llama_sampler_init_temp(opts.temperature));
        const uint32_t seed = opts.seed < 0 ? LLAMA_DEFAULT_SEED : static_cast<uint32_t>(opts.seed);
        llama_sampler_chain_add(chain_, llama_sampler_init_dist(seed));
    }
}

sampler::~sampler() { llama_sampler_free(chain_); }

llama_token sampler::sample_at(llama_context * ctx, int batch_index) {
    // llama_sampler_sample also accepts the token into the chain.
    return llama_sampler_sample(chain_, ctx, batch_index);
}

bool sampler::made_for(const sampling_options & o, bool ignore_eos) const {
    return !has_grammar_ && ignore_eos == ignore_eos_ && o.temperature == opts_.temperature && o.top_p == opts_.top_p &&
           o.seed == opts_.seed;
}

std::string sampler::grammar_error(const llama_vocab * vocab, const std::string & grammar) {
    if (grammar.empty()) return "";
    llama_sampler * g = llama_sampler_init_grammar(vocab, grammar.c_str(), "root");
    if (!g) return "the grammar does not parse (GBNF, with a rule named root)";
    llama_sampler_free(g);
    return "";
}

}  // namespace os1::llm
