#include "llm/memory_fit.h"

#include "base/units.h"

namespace os1::llm {
namespace {

// Compute buffers of llama.cpp on CPU grow with the batch and the vocabulary;
// 256 MiB plus a tenth of the weights covers the models OS1 targets with room.
constexpr uint64_t compute_base_bytes = 256ull << 20;
constexpr uint64_t compute_weight_fraction = 10;
constexpr uint64_t kv_bytes_per_value = 2;  // f16

}  // namespace

memory_estimate estimate_memory(const gguf_summary & m, int ctx_tokens) {
    memory_estimate e;
    e.weights_bytes = m.tensor_bytes;
    const uint64_t head_dim = m.n_head ? m.n_embd / m.n_head : 0;
    e.kv_bytes = 2ull * m.n_layer * static_cast<uint64_t>(ctx_tokens) * m.n_head_kv * head_dim * kv_bytes_per_value;
    e.compute_bytes = compute_base_bytes + m.tensor_bytes / compute_weight_fraction;
    return e;
}

status check_fits(const gguf_summary & m, const memory_estimate & e, uint64_t available_bytes) {
    if (available_bytes == 0 || e.total() <= available_bytes) return status::ok();
    return {status_code::resource_exhausted,
            "model file '" + m.path + "' needs about " + format_bytes(e.total()) + " of memory (weights " +
                format_bytes(e.weights_bytes) + ", context " + format_bytes(e.kv_bytes) + ", buffers " +
                format_bytes(e.compute_bytes) + ") but only " + format_bytes(available_bytes) +
                " is available: choose a smaller model or quantization, or a smaller --ctx"};
}

}  // namespace os1::llm
