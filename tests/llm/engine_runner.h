// Runs engine requests to completion, for tests.
#pragma once

#include <chrono>
#include <future>
#include <mutex>

#include "llm/llm_i.h"

namespace os1::test {

// A drop, waited for (tests only: the server never waits for one).
inline bool drop_and_wait(llm::llm_i & e, const llm::conversation_key & key) {
    auto found = std::make_shared<std::promise<bool>>();
    auto fut = found->get_future();
    e.drop(key, [found](bool f) { found->set_value(f); });
    return fut.get();
}

inline void drop_person_and_wait(llm::llm_i & e, const std::string & person) {
    auto done = std::make_shared<std::promise<void>>();
    auto fut = done->get_future();
    e.drop_person(person, [done] { done->set_value(); });
    fut.wait();
}

struct engine_reply {
    status st;                 // the submit's or the error event's
    std::string text;
    llm::reply_stats stats;
};

class pending_reply {
public:
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);

    llm::completion_request request(llm::conversation_key key, std::vector<llm::chat_message> messages, int max_tokens,
                                    float temperature = 0.0f) {
        llm::completion_request r;
        r.key = std::move(key);
        r.messages = std::move(messages);
        r.gen.max_tokens = max_tokens;
        r.gen.sampling.temperature = temperature;
        r.gen.sampling.seed = 1;
        r.cancelled = cancel;
        auto state = state_;
        r.on_event = [state](const llm::completion_event & ev) {
            std::lock_guard<std::mutex> lock(state->mu);
            if (ev.type == llm::completion_event::kind::text) {
                state->reply.text += ev.text;
                ++state->pieces;
                return;
            }
            if (ev.type == llm::completion_event::kind::error) state->reply.st = ev.error;
            state->reply.stats = ev.stats;
            state->done.set_value();
        };
        return r;
    }
    int pieces() {
        std::lock_guard<std::mutex> lock(state_->mu);
        return state_->pieces;
    }
    // Whether the reply ended within LIMIT (a hang shows as a failure, not a stuck test).
    bool ends_within(std::chrono::seconds limit) {
        return state_->done_future.wait_for(limit) == std::future_status::ready;
    }
    engine_reply wait() {
        state_->done_future.wait();
        std::lock_guard<std::mutex> lock(state_->mu);
        return state_->reply;
    }

private:
    struct shared {
        std::mutex mu;
        engine_reply reply;
        int pieces = 0;
        std::promise<void> done;
        std::shared_future<void> done_future = done.get_future().share();
    };
    std::shared_ptr<shared> state_ = std::make_shared<shared>();
};

inline engine_reply run_turn(llm::llm_i & e, const llm::conversation_key & key,
                             const std::vector<llm::chat_message> & messages, int max_tokens = 12) {
    pending_reply p;
    const status st = e.submit(p.request(key, messages, max_tokens));
    if (!st) return {st, "", {}};
    return p.wait();
}

}  // namespace os1::test
