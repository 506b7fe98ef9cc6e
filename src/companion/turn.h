// One turn of the companion, for every front end (the HTTP route, `os1 chat`,
// and the voice and tool turns to come): the first-run interview, the live
// figures, recall and the prompt, what the message asks the OS to say later,
// the model's reply with its retries, remembering the reply, and background
// learning after the reply is acknowledged. Front ends parse, stream and
// print; a turn is written nowhere else.
//
// Threads: run() may be called from any thread and returns at once. Memory
// work runs on the memory worker's thread, prompts are rendered and submitted
// on the PROMPTS executor (never an I/O thread, never the memory thread), and
// the sink is called on those threads and the engine's, one call at a time and
// in order: `started` once before any text, then exactly one `done` or `failed`.
// The runner must outlive its turns: stop the engine and drain the executor and
// the memory worker before it goes.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "companion/initiative.h"
#include "companion/onboarding.h"
#include "companion/turn_memory.h"
#include "llm/llm_i.h"
#include "memory/memory_worker.h"

namespace os1::companion {

struct turn_event {
    enum class kind {
        started,  // the reply begins (the model took the prompt, or the OS answers without it)
        text,     // a piece of the reply
        done,     // the reply is complete and stored (unless it was cancelled)
        failed,   // before started: nothing was said; after: the reply broke off
    };
    kind type = kind::text;
    std::string text;         // text
    llm::reply_stats stats;   // done; generated_tokens 0 for a reply the OS gives without the model
    status error;             // failed: invalid_argument (the request), permission_denied (the
                              // person was erased or removed meanwhile), resource_exhausted or
                              // cancelled (busy or stopping), others (the server's fault)
    int64_t reply_turn_id = 0;  // done: the stored reply's turn in memory (0: nothing stored, as when cancelled)
};
using turn_sink = std::function<void(const turn_event &)>;

struct turn_request {
    turn_context context;                     // `now` is the runner's to set
    std::vector<llm::chat_message> messages;  // the conversation as the front end has it, the new message last
    llm::generation_options gen;
    std::vector<std::string> stop;
    // Set by the front end to stop the reply (client gone, Ctrl-C, the person erased).
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
    // Asked on the memory thread before anything of the person is written and
    // again before the reply is stored: false (erased or removed since) fails
    // the turn with permission_denied. Empty: always current.
    std::function<bool()> still_current;
};

struct turn_settings {
    memory_settings memory;
    onboarding_settings onboarding;
    std::string default_persona;  // the system message when a request has none ("" = none)
    bool initiative = true;       // what a message asks the OS to say later is noted
    companion::initiative_policy initiative_policy;
    // How many people talk with the OS now, for the honest answer (honesty.h).
    std::function<uint64_t()> talking_now = [] { return uint64_t{1}; };
    // Background learning (facts, summaries, persona, feelings), on the memory
    // thread after the reply is stored and the sink has heard `done`.
    std::function<void(memory::memory_store &, memory::person_id, const std::string & person)> learn;
};

// Runs JOB somewhere off the caller's thread; false when it cannot take more.
using prompt_executor = std::function<bool(std::function<void()> job)>;

class turn_runner {
public:
    // MEMORY null: nothing is remembered or recalled, and the messages go to
    // the model as they are given.
    turn_runner(llm::llm_i & llm, memory::memory_worker * memory, const clock_i & clock, prompt_executor prompts,
                turn_settings settings);
    turn_runner(const turn_runner &) = delete;
    turn_runner & operator=(const turn_runner &) = delete;

    void run(turn_request request, turn_sink sink);

    bool remembers() const { return memory_ != nullptr; }

    // What the person actually heard of a spoken reply (a voice front end,
    // after an interruption): memory keeps HEARD as the OS's words instead of
    // the reply. STORED is the reply's turn id (0: none stored yet, as for a
    // cancelled reply), read and updated on the memory thread, so that
    // corrections posted one after another apply in order. An empty HEARD
    // forgets the turn. DONE (may be empty) hears the outcome there.
    void keep_heard(const turn_context & context, std::shared_ptr<int64_t> stored, std::string heard,
                    std::function<bool()> still_current, std::function<void(status)> done);

private:
    struct turn;
    void prepare(memory::memory_store & store, const std::shared_ptr<turn> & t);
    void name_itself(const std::shared_ptr<turn> & t, onboarding_step step);
    void finish_naming_with(const std::shared_ptr<turn> & t, memory::person_id who, result<std::string> answer);
    void submit(const std::shared_ptr<turn> & t);
    status submit_with_retries(const std::shared_ptr<turn> & t);
    llm::completion_request request_for(const std::shared_ptr<turn> & t, std::vector<llm::chat_message> messages);
    void on_event(const std::shared_ptr<turn> & t, const llm::completion_event & ev);
    void remember(memory::memory_store & store, const std::shared_ptr<turn> & t, const llm::reply_stats & stats);

    llm::llm_i & llm_;
    memory::memory_worker * memory_;
    const clock_i & clock_;
    prompt_executor prompts_;
    turn_settings settings_;
};

}  // namespace os1::companion
