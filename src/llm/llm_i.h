// What the companion needs of a language model, whoever computes it: the
// local engine (llm/engine.h), a scripted fake in tests (tests/fakes/), later a
// remote cluster. Requests are keyed by conversation; replies stream as events.
//
// Thread-safety: every member may be called from any thread. Events and
// callbacks come on the implementation's own thread and must not block: post
// onward what takes time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llm/chat_types.h"
#include "llm/conversation_key.h"
#include "os1/status.h"

namespace os1::llm {

struct completion_event {
    enum class kind { text, done, error };
    kind type = kind::text;
    std::string text;        // kind::text
    reply_stats stats;       // kind::done
    status error;            // kind::error
};

struct completion_request {
    conversation_key key;
    std::vector<chat_message> messages;  // must end with a user message
    generation_options gen;
    std::vector<std::string> stop;       // stop strings
    // Called on the engine thread: text pieces, then exactly one done or error.
    std::function<void(const completion_event &)> on_event;
    // Set by the caller when the client goes away; the reply stops at the next step.
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

struct engine_stats {
    uint64_t requests = 0, prompt_tokens = 0, computed_tokens = 0, generated_tokens = 0;
    uint64_t hits_resident = 0, hits_ram = 0, hits_disk = 0, misses = 0, prefix_hits = 0;
    uint64_t conversations_resident = 0, conversations_ram = 0, conversations_disk = 0;
    uint64_t kv_ram_bytes = 0, kv_disk_bytes = 0;
    uint64_t pending = 0, active = 0;
};

class llm_i {
public:
    virtual ~llm_i() = default;

    // Queues a reply. invalid_argument (too long, bad messages), resource_exhausted
    // (queue full), cancelled (stopping). On ok, events follow: text, then exactly one
    // done or error. Setting req.cancelled stops it at the next step.
    virtual status submit(completion_request req) = 0;

    // Forgets every trace of a conversation's state; `done(found)` is called once
    // when it is gone (found: there was one). Never waits.
    virtual void drop(const conversation_key & key, std::function<void(bool found)> done) = 0;
    // Forgets every state of a person; `done` is called once when they are gone.
    virtual void drop_person(const std::string & person, std::function<void()> done) = 0;

    virtual engine_stats stats() const = 0;

    // Stops taking requests, lets those in flight finish for up to `drain_ms` (then
    // stops them), keeps what must survive a restart, and returns when it is done.
    // A second call returns at once; drops after it still work.
    virtual void stop(int drain_ms) = 0;
};

}  // namespace os1::llm
