// A model's own chat template (llama.cpp common/jinja) and its tokenizer: the
// messages of a conversation become the exact token ids the model sees.
// Internal to src/llm. Thread-safety: const methods may run concurrently.
#pragma once

#include <llama.h>

#include <memory>
#include <string>
#include <vector>

#include "llm/chat_types.h"
#include "os1/status.h"

struct common_chat_templates;

namespace os1::llm {

class chat_template {
public:
    // unsupported when the model's template cannot be parsed.
    static result<std::unique_ptr<chat_template>> create(const llama_model * m);
    ~chat_template();
    chat_template(const chat_template &) = delete;
    chat_template & operator=(const chat_template &) = delete;

    // The prompt text, ending with the assistant's turn header.
    result<std::string> render(const std::vector<chat_message> & messages) const;
    std::vector<llama_token> tokenize(const std::string & text) const;
    result<std::vector<llama_token>> render_tokens(const std::vector<chat_message> & messages) const;

    // The tokens every conversation opening with `system` shares, whatever
    // message comes next: the common prefix of renders that differ after it.
    result<std::vector<llama_token>> system_prefix(const std::string & system) const;

private:
    chat_template(const llama_model * m, common_chat_templates * t) : model_(m), templates_(t) {}
    const llama_model * model_;
    common_chat_templates * templates_;
};

// The context policy shared by os1 chat and the server. The system prefix (the
// system messages before any other) and the last message are always kept.
// When `messages` render to more than `room` tokens, the oldest messages after
// the system prefix are left out: first the `drop_hint` of the previous turn
// (so the cut stays where it was and the tokens after it stay cached), then
// half of what is left at a time, so that the cut moves rarely.
// invalid_argument when even the system prefix and the last message are too long.
struct fitted_prompt {
    std::vector<llama_token> tokens;
    int dropped_messages = 0;  // pass as drop_hint next turn
};
result<fitted_prompt> fit_messages(const chat_template & tmpl, const std::vector<chat_message> & messages, int room,
                                   int n_ctx, int drop_hint = 0);

}  // namespace os1::llm
