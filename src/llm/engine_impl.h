// The engine's private state (see engine.h). Everything below is touched only
// by the engine thread, except what is marked GUARDED_BY(mu).
#pragma once

#include <llama-cpp.h>
#include <llama.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "base/utf8.h"
#include "llm/chat_template.h"
#include "llm/engine.h"
#include "llm/kv_tier_disk.h"
#include "llm/kv_tier_ram.h"
#include "llm/sampler.h"
#include "llm/stop_matcher.h"

namespace os1::llm {

using engine_clock = std::chrono::steady_clock;

// A request from submit() until its done/error event.
struct active_request {
    completion_request req;
    std::vector<llama_token> prompt;         // fitted and tokenized
    size_t max_prompt = 0;                   // the room fitting left it (a splice stays within)
    int dropped_messages = 0;
    std::vector<llama_token> prefix_tokens;  // the system prompt's shareable prefix (may be empty)
    std::string prefix_scope;                // "*" (everyone) or the person
    std::string prefix_id;                   // scope + ":" + hash of prefix_tokens, set when bound
    engine_clock::time_point t_submit;
    reply_stats stats;
    std::unique_ptr<sampler> smpl;
    utf8_stream utf8;
    std::unique_ptr<stop_matcher> stops;
    size_t n_done = 0;                       // prompt tokens already in the KV cache
    bool generating = false;
    llama_token next = 0;                    // sampled, to be decoded in the next step
    uint64_t order = 0;                      // admission order, for fair prefill
    std::optional<kv_saved_state> read_ahead;  // its conversation's state, read from disk before admission
};

// A conversation's state being read from disk ahead of its admission.
struct disk_read {
    uint64_t ticket = 0;  // a read started before a drop never fills a later entry
    bool done = false;
    std::optional<kv_saved_state> state;  // when done: the state, or none (not found, damaged)
};

// One sequence of the context (its own KV stream) and the conversation it holds.
struct engine_slot {
    llama_seq_id seq = 0;
    std::optional<conversation_key> key;
    std::vector<llama_token> tokens;  // the sequence's KV contents, by position
    std::unique_ptr<active_request> active;
    uint64_t last_used = 0;
    bool drop_when_done = false;      // dropped while generating: forget it when the reply ends
};

// A computed system prompt, kept as its cells' bytes (one-stream form): a
// conversation starting with it gets a copy of those cells instead of computing them.
struct shared_prefix {
    std::string id;      // scope + ":" + hash of tokens
    std::string scope;
    std::vector<llama_token> tokens;
    std::vector<uint8_t> bytes;
    uint64_t last_used = 0;
};

struct engine::impl {
    engine_options opts;
    std::shared_ptr<model> mdl;
    std::unique_ptr<chat_template> tmpl;
    llama_context_ptr ctx;
    std::vector<engine_slot> slots;
    std::vector<shared_prefix> prefixes;  // at most opts.max_shared_prefixes, the operator's first
    std::unique_ptr<kv_tier_ram> ram;
    std::unique_ptr<kv_tier_disk> disk;         // conversations; null without a kv_dir
    std::unique_ptr<kv_tier_disk> prefix_disk;  // shared prefixes, kept apart so they are never budgeted out
    std::deque<std::unique_ptr<active_request>> waiting;
    uint64_t clock = 0;
    uint64_t admissions = 0;
    llama_batch batch{};

    // Shared with other threads.
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::unique_ptr<active_request>> incoming;  // GUARDED_BY(mu)
    std::deque<std::function<void()>> control;             // GUARDED_BY(mu): run on the engine thread
    bool stopping = false;                                 // GUARDED_BY(mu)
    bool finished = false;  // GUARDED_BY(mu): the engine thread ran its last control; drops run inline
    // Serializes those inline drops; recursive, as a drop's callback may drop again.
    std::recursive_mutex after_mu;
    engine_clock::time_point drain_deadline;               // GUARDED_BY(mu)
    // Disk reads ahead of admission, on the reader thread: a state of tens of
    // MiB takes over a second to read, and on the engine thread every stream
    // would wait for it.
    std::deque<std::pair<conversation_key, uint64_t>> to_read;  // GUARDED_BY(mu)
    std::map<std::string, disk_read> reads;                     // GUARDED_BY(mu): by key id
    uint64_t read_tickets = 0;                                  // GUARDED_BY(mu)
    bool read_finished = false;                                 // GUARDED_BY(mu): wakes the engine thread
    size_t waiting_held = 0;                                    // engine thread: requests admit() left for a read or behind one
    std::thread reader;
    std::mutex drop_hints_mu;
    std::unordered_map<std::string, int> drop_hints;  // GUARDED_BY(drop_hints_mu): where each conversation was cut
    std::mutex prefix_cache_mu;
    std::map<std::string, std::vector<llama_token>> system_prefix_cache;  // GUARDED_BY(prefix_cache_mu)

    // Counters read by stats().
    std::atomic<uint64_t> n_requests{0}, n_prompt{0}, n_computed{0}, n_generated{0};
    std::atomic<uint64_t> n_hit_resident{0}, n_hit_ram{0}, n_hit_disk{0}, n_miss{0}, n_prefix_hits{0};
    std::atomic<uint64_t> g_resident{0}, g_ram{0}, g_ram_bytes{0}, g_pending{0}, g_active{0};

    std::thread thread;

    ~impl();
    void run();
    bool wait_for_work();
    void run_control();

    // Admission (engine.cpp)
    void admit();
    engine_slot * slot_for(const conversation_key & key);
    void bind(engine_slot & s, std::unique_ptr<active_request> r);
    void fail(std::unique_ptr<active_request> r, const status & st);
    bool read_ahead_pending(active_request & r);
    void reader_loop();
    void forget_reads(const std::function<bool(const std::string & id)> & which);

    // KV tiers and prefixes (engine_kv.cpp)
    void evict(engine_slot & s);
    bool restore(engine_slot & s, kv_saved_state & st);
    void clear(engine_slot & s);
    std::vector<uint8_t> seq_bytes(llama_seq_id seq);
    bool set_seq_bytes(llama_seq_id seq, std::vector<uint8_t> & one_stream);
    shared_prefix * prefix_by_id(const std::string & id);
    void maybe_register_prefix(engine_slot & s);
    shared_prefix * keep_prefix(shared_prefix p);
    static conversation_key prefix_key(const std::string & id);
    static std::string prefix_id_of(const std::string & scope, const std::vector<llama_token> & tokens);
    void save_prefix(const shared_prefix & p);
    shared_prefix * load_prefix(const std::string & id);
    status compute_shared_prompt(const std::string & system);
    void save_everything();
    void update_gauges();
    bool drop_now(const conversation_key & key);
    void drop_person_now(const std::string & person);

    // Decoding (engine_step.cpp)
    void step();
    void recover(const char * what);  // after a step threw
    void accept_token(engine_slot & s, int batch_index);
    void emit_text(active_request & r, const std::string & text);
    void finish(engine_slot & s, stop_reason reason);
};

}  // namespace os1::llm
