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
// The local implementation of llm_i (llm/llm_i.h). Thread-safety: every member
// but stop() may be called from any thread; events and drop callbacks come on
// the engine thread and must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llm/llm_i.h"
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
    // For tests: runs on the engine thread before each step; what it throws is
    // what a failing step throws.
    std::function<void()> before_step;
};

class engine final : public llm_i {
public:
    // Creates the context and the tiers, precomputes the shared prompts' prefixes.
    static result<std::unique_ptr<engine>> start(std::shared_ptr<model> m, const engine_options & opts);
    ~engine() override;  // stop(0) if still running
    engine(const engine &) = delete;
    engine & operator=(const engine &) = delete;

    // Renders and tokenizes the request on the calling thread, then queues it.
    // invalid_argument (too long, bad messages), resource_exhausted (queue full),
    // cancelled (the engine is stopping). On ok, events will follow.
    status submit(completion_request req) override;

    // Removes every trace of a conversation's KV state (all tiers) at the engine's
    // next turn; a reply being generated for it is forgotten when it ends. After
    // stop(), `done` is called at once (false).
    void drop(const conversation_key & key, std::function<void(bool found)> done) override;
    void drop_person(const std::string & person, std::function<void()> done) override;

    // Stops taking requests, lets the ones in flight finish for up to
    // `drain_ms` (then stops them), writes every KV state to disk and joins the thread.
    void stop(int drain_ms) override;

    engine_stats stats() const override;
    const engine_options & options() const;

private:
    struct impl;
    explicit engine(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::llm
