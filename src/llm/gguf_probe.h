// Reads a GGUF file's header and metadata without loading weights, to reject a
// bad file with a clear reason before llama.cpp touches it, and to describe a
// model (os1 models, os1 doctor).
#pragma once

#include <cstdint>
#include <string>

#include "os1/status.h"

namespace os1::llm {

struct gguf_summary {
    std::string path;
    uint64_t file_bytes = 0;
    uint64_t tensor_bytes = 0;       // sum of all tensor data
    uint64_t data_offset = 0;        // where tensor data starts: everything before is metadata
    uint64_t n_params = 0;           // elements over all tensors
    uint32_t version = 0;
    std::string architecture;        // general.architecture, e.g. "qwen2"
    std::string name;                // general.name, may be empty
    std::string file_type;           // e.g. "Q8_0", from the most common weight type
    uint32_t context_length = 0;     // <arch>.context_length
    uint32_t n_layer = 0;            // <arch>.block_count
    uint32_t n_embd = 0;             // <arch>.embedding_length
    uint32_t n_head = 0;             // <arch>.attention.head_count
    uint32_t n_head_kv = 0;          // <arch>.attention.head_count_kv (n_head if absent)
    bool has_chat_template = false;  // tokenizer.chat_template present
};

// Errors (each naming the file): not_found; corrupt for a file that is not GGUF,
// whose metadata cannot be parsed, or that is shorter than its tensors need.
result<gguf_summary> probe_gguf(const std::string & path);

}  // namespace os1::llm
