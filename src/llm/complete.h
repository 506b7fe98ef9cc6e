// One request run to its end, waited for: for the terminal and tools that wait
// on their own thread (never the memory thread or an I/O thread, which must not
// wait for the engine).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "llm/llm_i.h"

namespace os1::llm {

struct completed {
    std::string text;
    reply_stats stats;
};

// The whole reply to MESSAGES under KEY; the engine's refusal or error as is.
// CANCEL stops it (the reply so far comes back, with reason cancelled).
result<completed> complete(llm_i & llm, const conversation_key & key, std::vector<chat_message> messages,
                           const generation_options & gen,
                           std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false));

}  // namespace os1::llm
