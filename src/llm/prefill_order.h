// Which prompt the engine computes first when several wait (engine_step.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace os1::llm {

struct waiting_prompt {
    size_t left = 0;                                 // prompt tokens still to compute
    std::chrono::steady_clock::time_point submitted;
    uint64_t order = 0;                              // admission order
};

// Indices of PROMPTS in the order their chunks go: shortest remaining prompt
// first (a returning turn's few hundred new tokens do not wait behind a
// newcomer's thousands); a prompt waiting longer than PATIENCE goes before
// all others, in admission order, so that none starves.
std::vector<size_t> prefill_order(const std::vector<waiting_prompt> & prompts, std::chrono::steady_clock::time_point now,
                                  std::chrono::milliseconds patience);

}  // namespace os1::llm
