// A scripted llm_i for tests that need no real tokens: each reply comes from a
// script (a function of the request), streamed a word at a time on the fake's
// own thread, as the engine streams on its thread. It counts prompt "tokens" as
// characters of the messages, keeps the conversations it answered until they
// are dropped, and records every request it took.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "llm/llm_i.h"

namespace os1::test {

class fake_llm final : public llm::llm_i {
public:
    using script = std::function<std::string(const llm::completion_request &)>;
    // Called before each word is sent (its index from 0), on the fake's thread:
    // a test may hold the reply there until it has seen what it waits for.
    using word_hook = std::function<void(size_t word)>;
    explicit fake_llm(script s, word_hook hook = nullptr);
    ~fake_llm() override;  // stop(0)

    status submit(llm::completion_request req) override;
    void drop(const llm::conversation_key & key, std::function<void(bool found)> done) override;
    void drop_person(const std::string & person, std::function<void()> done) override;
    llm::engine_stats stats() const override;
    void stop(int drain_ms) override;

    // The next submit is refused with `st` (once).
    void refuse_next(status st);
    // What was asked so far (without callbacks), oldest first.
    std::vector<llm::completion_request> requests() const;
    bool holds(const llm::conversation_key & key) const;

private:
    void run();

    script script_;
    word_hook hook_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> work_;         // GUARDED_BY(mu_)
    std::vector<llm::completion_request> requests_;  // GUARDED_BY(mu_)
    std::set<std::string> held_;                     // GUARDED_BY(mu_): key ids
    status refuse_ = status::ok();                   // GUARDED_BY(mu_)
    llm::engine_stats stats_;                        // GUARDED_BY(mu_)
    bool stopping_ = false;                          // GUARDED_BY(mu_)
    std::thread thread_;
};

}  // namespace os1::test
