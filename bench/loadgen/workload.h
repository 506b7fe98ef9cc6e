// The B1 companion workload of BENCHMARKS.md: a shared persona, a profile per
// person with a canary, a growing history, fresh recalled memories and a new
// message each turn. Text is deterministic filler from a seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "llm/chat_types.h"
#include "llm/prompt_tokenizer.h"

namespace os1::bench {

class text_maker {
public:
    text_maker(const llm::prompt_tokenizer & tok, uint64_t seed) : tok_(tok), rng_(seed) {}
    // Sentences of filler until the text is at least `n_tokens` long.
    std::string make(int n_tokens);
    std::mt19937_64 & rng() { return rng_; }

private:
    const llm::prompt_tokenizer & tok_;
    std::mt19937_64 rng_;
};

struct workload_sizes {
    int persona_tokens = 1500;
    int profile_tokens = 800;
    int recalled_tokens = 150;
    int message_min = 20, message_max = 80;
    int reply_min = 32, reply_max = 64;
};

// [persona | profile | history | recalled + message], as chat messages.
std::vector<llm::chat_message> companion_messages(const std::string & persona, const std::string & profile,
                                                  const std::vector<llm::chat_message> & history,
                                                  const std::string & recalled, const std::string & message);

// [persona | profile | history | message]: the same turn for a server that
// recalls for itself (OS1 with memory on).
std::vector<llm::chat_message> plain_messages(const std::string & persona, const std::string & profile,
                                              const std::vector<llm::chat_message> & history, const std::string & message);

// A person's earlier conversations, as lines of `os1 memory-adapter` (ingest and
// end_session, scope NAME): about N_TOKENS of turns in sittings of ~1,000
// tokens, dated in the weeks before the run, in the workload's words.
std::vector<std::string> earlier_memories(const llm::prompt_tokenizer & tok, uint64_t seed, const std::string & name,
                                          int n_tokens);

}  // namespace os1::bench
