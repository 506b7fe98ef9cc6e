// The engine: one thread owns the model's context and serves every
// conversation through it (ARCHITECTURE.md, principle 9).
//
// - Continuous batching: each step decodes one token for every generating
//   conversation plus a bounded chunk of prompt, so a long prompt never
//   freezes the others' streams.
// - Every conversation's KV state is kept: resident in a sequence of the
//   context (its own KV stream: its steps attend to its cells only), serialized in RAM (least recently used first out), or on disk
//   (surviving restarts). A returning conversation is restored and only the
//   tokens after its longest matching prefix are computed. States are found by
//   conversation_key alone, never by similarity.
// - A system prompt shared by many conversations is computed once and its KV
//   cells are copied into each conversation that starts with it: across people for the operator's shared prompts, within
//   one person otherwise (a cache hit on someone else's private prompt would
//   tell, by its timing, that they used it).
//
// Thread-safety: submit(), cancel(), stats(), drop() and stop() may be called
// from any thread. Events are delivered on the engine thread and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llm/chat_types.h"
#include "llm/conversation_key.h"
#include "llm/model.h"
#include "os1/status.h"

namespace os1::llm {

struct engine_options {
    int parallel = 8;                 // conversations resident at once (sequences of the context)
    int ctx_tokens = 4096;            // longest conversation, in tokens
    int batch_tokens = 512;           // tokens per decode step
    int prefill_chunk_busy = 256;     // prompt tokens per step while others are generating
    std::chrono::milliseconds prefill_patience{10000};  // shortest prompt first, unless one waited this long
    int threads = 0;                  // 0 = physical cores
    int max_pending = 256;            // requests waiting for a sequence; more are refused
    int max_shared_prefixes = 8;      // computed system prompts kept in RAM (the operator's always)
    uint64_t kv_ram_bytes = 1ull << 30;
    uint64_t kv_disk_bytes = 20ull << 30;
    std::string kv_dir;               // disk tier root; empty = no disk tier
    std::vector<std::string> shared_system_prompts;  // the operator's: their prefix is shared by everyone
};

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

class engine {
public:
    // Creates the context and the tiers, precomputes the shared prompts' prefixes.
    static result<std::unique_ptr<engine>> start(std::shared_ptr<model> m, const engine_options & opts);
    ~engine();  // stop(0) if still running
    engine(const engine &) = delete;
    engine & operator=(const engine &) = delete;

    // Renders and tokenizes the request on the calling thread, then queues it.
    // invalid_argument (too long, bad messages), resource_exhausted (queue full),
    // cancelled (the engine is stopping). On ok, events will follow.
    status submit(completion_request req);

    // Removes every trace of a conversation's KV state (all tiers). Waits for the
    // engine. False when there was none.
    bool drop(const conversation_key & key);
    // Removes every KV state of a person.
    void drop_person(const std::string & person);

    // Stops taking requests, lets the ones in flight finish for up to
    // `drain_ms` (then stops them), writes every KV state to disk and joins the thread.
    void stop(int drain_ms);

    engine_stats stats() const;
    const engine_options & options() const;

private:
    struct impl;
    explicit engine(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::llm
