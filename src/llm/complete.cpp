#include "llm/complete.h"

#include <future>

namespace os1::llm {

result<completed> complete(llm_i & llm, const conversation_key & key, std::vector<chat_message> messages,
                           const generation_options & gen, std::shared_ptr<std::atomic<bool>> cancel) {
    auto answer = std::make_shared<completed>();
    auto done = std::make_shared<std::promise<status>>();
    auto fut = done->get_future();
    completion_request r;
    r.key = key;
    r.messages = std::move(messages);
    r.gen = gen;
    r.cancelled = std::move(cancel);
    r.on_event = [answer, done](const completion_event & ev) {
        switch (ev.type) {
            case completion_event::kind::text: answer->text += ev.text; return;
            case completion_event::kind::done:
                answer->stats = ev.stats;
                return done->set_value(status::ok());
            case completion_event::kind::error: return done->set_value(ev.error);
        }
    };
    if (auto st = llm.submit(std::move(r)); !st) return st;
    if (auto st = fut.get(); !st) return st;
    return *answer;
}

}  // namespace os1::llm
