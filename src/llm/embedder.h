// Text to a dense vector with a GGUF model through llama.cpp: the mean of the
// last layer's token states, L2-normalized, so that a dot product is the
// cosine. Any model llama.cpp loads works (an embedding model such as
// nomic-embed or bge, or a chat model); recall uses it when one is configured
// (--embed-model).
//
// Threads: one caller at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/options.h"
#include "os1/status.h"

namespace os1::llm {

class embedder {
public:
    // MAX_TOKENS: longer texts are cut (an embedding of a turn needs its start, not a whole book).
    static result<std::unique_ptr<embedder>> open(const std::string & path, const model_options & opts, int max_tokens = 512);
    ~embedder();
    embedder(const embedder &) = delete;
    embedder & operator=(const embedder &) = delete;

    // invalid_argument for empty text; internal when llama.cpp fails.
    result<std::vector<float>> embed(std::string_view text);
    int dims() const;
    // Names the model and its dimensions: vectors made by another model are not comparable.
    const std::string & key() const;

private:
    struct impl;
    explicit embedder(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::llm
