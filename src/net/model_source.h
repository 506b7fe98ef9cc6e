// Where `os1 pull` gets a model: a catalog NAME, a Hugging Face repository
// (USER/REPO[:QUANT]), or a URL (with an optional #sha256=HEX).
#pragma once

#include <cstdint>
#include <string>

#include "os1/status.h"

namespace os1::net {

struct model_source {
    std::string url;          // what to download
    std::string file_name;    // name in the models folder
    std::string sha256;       // lowercase hex; empty when the source publishes none
    uint64_t size_bytes = 0;  // 0 when unknown
    std::string described;    // "Qwen/Qwen2.5-1.5B-Instruct-GGUF: qwen2.5-1.5b-instruct-q4_k_m.gguf"
};

struct source_options {
    std::string hf_endpoint = "https://huggingface.co";
    std::string hf_token;     // for gated repositories; empty = none
};

// Resolves a spec; Hugging Face specs ask the HF API for the file list and the
// files' SHA-256. Errors: invalid_argument (a spec that is none of the three
// forms, or a repository with no GGUF of that quantization, listing what it
// has), not_found, network_error.
result<model_source> resolve_model_source(const std::string & spec, const source_options & opts);

}  // namespace os1::net
