// The token ids a model would see for a conversation, without loading its
// weights (vocabulary and chat template only): for tools that count tokens,
// such as the benchmark's load generator. Thread-safe after creation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "llm/chat_types.h"
#include "os1/status.h"

namespace os1::llm {

class prompt_tokenizer {
public:
    static result<std::unique_ptr<prompt_tokenizer>> open(const std::string & gguf_path);
    ~prompt_tokenizer();

    result<std::vector<int32_t>> conversation(const std::vector<chat_message> & messages) const;
    std::vector<int32_t> text(const std::string & text) const;  // no special tokens added
    result<std::vector<int32_t>> system_prefix(const std::string & system) const;

private:
    struct impl;
    explicit prompt_tokenizer(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::llm
