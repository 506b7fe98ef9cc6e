// A loaded GGUF model, shared read-only by every context that uses it.
//
// load() checks the file before llama.cpp sees it (exists, GGUF, not truncated,
// fits in memory) and turns every failure into one line naming the file.
// Thread-safety: a model is immutable after load; share it by shared_ptr.
#pragma once

#include <memory>
#include <string>

#include "base/options.h"
#include "llm/gguf_probe.h"
#include "os1/status.h"

struct llama_model;
struct llama_vocab;

namespace os1::llm {

class model {
public:
    // Errors: not_found, corrupt (not GGUF, truncated, unreadable metadata),
    // unsupported (architecture llama.cpp does not know, or not a text
    // generator), resource_exhausted (too large for available memory).
    // `available_memory_bytes` 0 means: read it from the system.
    static result<std::shared_ptr<model>> load(const std::string & path, const model_options & opts,
                                               uint64_t available_memory_bytes = 0);

    ~model();
    model(const model &) = delete;
    model & operator=(const model &) = delete;

    const gguf_summary & info() const { return info_; }
    llama_model * raw() const { return model_; }  // for src/llm only
    const llama_vocab * vocab() const;
    int n_ctx_train() const;
    // 16 hex digits naming this model's metadata (architecture, shapes,
    // tokenizer, names): KV states are kept per fingerprint, so a state is never
    // loaded into a different model.
    const std::string & fingerprint() const { return fingerprint_; }

private:
    model(llama_model * m, gguf_summary info) : model_(m), info_(std::move(info)) {}
    llama_model * model_;
    gguf_summary info_;
    std::string fingerprint_;
};

}  // namespace os1::llm
