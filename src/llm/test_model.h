// Test models: GGUF files with random weights, the real Qwen2 tokenizer (copied
// from the pinned llama.cpp release and built into os1) and the real qwen2
// architecture, so tests and benchmarks run real code without downloads.
//
//   tiny   about 9 MB: tests. Greedy output is deterministic noise.
//   bench  the shape of Qwen2.5-0.5B in Q8_0 (about 530 MB): the compute per
//          token of the real model, so throughput and latency are real.
//
// The same shape and seed give the same bytes. Control tokens (end of turn and
// the like) get zero embeddings, so greedy replies run to max_tokens rather
// than stopping at a random end-of-turn.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "os1/status.h"

namespace os1::llm {

struct test_model_shape {
    std::string name;
    uint32_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx_train;
    bool embd_q4_0;  // token embeddings in Q4_0 (keeps tiny under 10 MB)
};

// "tiny" or "bench"; invalid_argument otherwise.
result<test_model_shape> find_test_model_shape(const std::string & name);

// Writes the model to `path` (through a temporary file and a rename). `progress`
// is called with the fraction written, from 0 to 1.
status make_test_model(const std::string & path, const test_model_shape & shape, uint64_t seed,
                       const std::function<void(double)> & progress = {});

}  // namespace os1::llm
