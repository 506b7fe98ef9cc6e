// Named models `os1 pull NAME` knows, chosen for a CPU-only machine. A named
// model is saved as <models folder>/<name>.gguf, so OS1 can find it by name.
#pragma once

#include <string>
#include <vector>

namespace os1::net {

struct catalog_entry {
    const char * name;         // "qwen2.5-1.5b-instruct"
    const char * repo;         // Hugging Face repository
    const char * quant;        // the quantization picked from it
    const char * purpose;      // "chat" or "embedding"
    const char * approx_size;  // for the README and `os1 pull --list`
    const char * about;
};

const std::vector<catalog_entry> & model_catalog();
const catalog_entry * find_catalog_entry(const std::string & name);

// The model `os1 chat` and `os1 serve` use when none is named.
const catalog_entry & default_chat_model();
const catalog_entry & default_embedding_model();

}  // namespace os1::net
