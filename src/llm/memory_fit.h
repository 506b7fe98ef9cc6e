// Will a model fit in memory? Estimated from its GGUF header before loading, so
// that a model too large is refused with the sizes instead of swapping the
// machine to a halt or being killed half-way through.
#pragma once

#include <cstdint>

#include "llm/gguf_probe.h"
#include "os1/status.h"

namespace os1::llm {

struct memory_estimate {
    uint64_t weights_bytes = 0;  // tensor data, read through mmap
    uint64_t kv_bytes = 0;       // f16 K and V for ctx_tokens
    uint64_t compute_bytes = 0;  // scratch buffers: a margin, not a measurement
    uint64_t total() const { return weights_bytes + kv_bytes + compute_bytes; }
};

memory_estimate estimate_memory(const gguf_summary & model, int ctx_tokens);

// resource_exhausted, naming the file and every size, when `est` exceeds
// `available_bytes`; ok when it fits or when available_bytes is 0 (unknown).
status check_fits(const gguf_summary & model, const memory_estimate & est, uint64_t available_bytes);

}  // namespace os1::llm
