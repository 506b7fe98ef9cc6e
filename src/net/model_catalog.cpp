#include "net/model_catalog.h"

namespace os1::net {
namespace {

const std::vector<catalog_entry> catalog = {
    {"qwen2.5-1.5b-instruct", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "Q4_K_M", "chat", "1.1 GB",
     "the default: good conversation at a usable speed on 2 to 4 CPU cores"},
    {"qwen2.5-0.5b-instruct", "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "Q4_K_M", "chat", "0.4 GB",
     "for small machines: fast, simpler replies"},
    {"llama3.2-3b-instruct", "bartowski/Llama-3.2-3B-Instruct-GGUF", "Q4_K_M", "chat", "2.0 GB",
     "better replies, about half the speed of the default"},
    {"nomic-embed-text-v1.5", "nomic-ai/nomic-embed-text-v1.5-GGUF", "Q8_0", "embedding", "0.14 GB",
     "text embeddings for memory recall (--embed-model)"},
};

}  // namespace

const std::vector<catalog_entry> & model_catalog() { return catalog; }

const catalog_entry * find_catalog_entry(const std::string & name) {
    for (const auto & e : catalog) {
        if (name == e.name) return &e;
    }
    return nullptr;
}

const catalog_entry & default_chat_model() { return catalog[0]; }
const catalog_entry & default_embedding_model() { return catalog[3]; }

}  // namespace os1::net
