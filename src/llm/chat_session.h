// One conversation with a model, on the calling thread: renders the messages
// with the model's own chat template, evaluates only the tokens after the
// longest prefix already in its KV cache, and streams the reply as text.
//
// Context policy: when the prompt plus max_tokens would not fit, the oldest
// messages after the system message are left out, one at a time, until it fits;
// the system message and the newest message are always kept. If even those do
// not fit, reply() fails with invalid_argument.
//
// Thread-safety: one thread at a time. `cancel` may be set from any thread (a
// signal handler included); the reply then stops within one decode step.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "base/options.h"
#include "llm/chat_types.h"
#include "llm/model.h"
#include "os1/status.h"

namespace os1::llm {

class chat_session {
public:
    using text_sink = std::function<void(std::string_view)>;

    static result<std::unique_ptr<chat_session>> create(std::shared_ptr<model> m, const model_options & opts);
    ~chat_session();
    chat_session(const chat_session &) = delete;
    chat_session & operator=(const chat_session &) = delete;

    // Generates the assistant's next message for `messages` (which must end with
    // a user message). Text reaches `on_text` in whole UTF-8 characters as it is
    // generated; the full reply is returned in `reply_text`.
    result<reply_stats> reply(const std::vector<chat_message> & messages, const generation_options & gen,
                              const text_sink & on_text, std::string & reply_text,
                              const std::atomic<bool> * cancel = nullptr);

    // The prompt text the template makes of `messages` (for tests and --verbose).
    result<std::string> render(const std::vector<chat_message> & messages) const;

    int n_ctx() const;

private:
    struct impl;
    explicit chat_session(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::llm
