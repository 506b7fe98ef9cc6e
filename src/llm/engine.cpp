#include "llm/engine.h"

#include <common.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>

#include "base/system.h"
#include "llm/backend.h"
#include "llm/engine_impl.h"
#include "llm/token_splice.h"

namespace os1::llm {

engine::engine(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

engine::~engine() { stop(0); }

engine::impl::~impl() {
    if (batch.token) llama_batch_free(batch);
}

result<std::unique_ptr<engine>> engine::start(std::shared_ptr<model> m, const engine_options & opts_in) {
    ensure_backend();
    auto p = std::make_unique<impl>();
    p->opts = opts_in;
    engine_options & o = p->opts;
    if (o.parallel < 1 || o.parallel > 256) return status(status_code::invalid_argument, "parallel must be from 1 to 256");
    auto tmpl = chat_template::create(m->raw());
    if (!tmpl) return tmpl.error();
    p->tmpl = std::move(*tmpl);

    // Each sequence has its own KV stream of ctx_tokens cells, so that a
    // conversation's steps attend to its own cells only (decision 0004).
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(o.parallel) * static_cast<uint32_t>(o.ctx_tokens);
    cp.n_batch = static_cast<uint32_t>(o.batch_tokens);
    cp.n_ubatch = static_cast<uint32_t>(o.batch_tokens);
    cp.n_seq_max = static_cast<uint32_t>(o.parallel);
    cp.kv_unified = false;
    cp.n_threads = o.threads > 0 ? o.threads : physical_cores();
    cp.n_threads_batch = cp.n_threads;
    cp.no_perf = true;
    take_llama_errors();
    p->ctx.reset(llama_init_from_model(m->raw(), cp));
    if (!p->ctx) {
        return status(status_code::resource_exhausted, "could not create a context of " + std::to_string(cp.n_ctx) +
                                                           " tokens: " + take_llama_errors());
    }
    p->mdl = std::move(m);
    p->batch = llama_batch_init(o.batch_tokens, 0, 1);
    for (int i = 0; i < o.parallel; ++i) {
        engine_slot s;
        s.seq = i;
        p->slots.push_back(std::move(s));
    }
    p->ram = std::make_unique<kv_tier_ram>(o.kv_ram_bytes);
    if (!o.kv_dir.empty()) {
        p->disk = std::make_unique<kv_tier_disk>(o.kv_dir + "/conversations", o.kv_disk_bytes);
        if (auto st = p->disk->open(); !st) return st;
        p->prefix_disk = std::make_unique<kv_tier_disk>(o.kv_dir + "/prefixes", UINT64_MAX);
        if (auto st = p->prefix_disk->open(); !st) return st;
    }
    for (const auto & system : o.shared_system_prompts) {
        if (auto st = p->compute_shared_prompt(system); !st) return st;
    }
    impl * raw = p.get();
    p->thread = std::thread([raw] { raw->run(); });
    if (p->disk) p->reader = std::thread([raw] { raw->reader_loop(); });
    return std::unique_ptr<engine>(new engine(std::move(p)));
}

status engine::submit(completion_request req) {
    impl & s = *impl_;
    if (req.messages.empty() || req.messages.back().role != role::user) {
        return {status_code::invalid_argument, "the last message must be the person's (role \"user\")"};
    }
    if (req.gen.max_tokens < 1) return {status_code::invalid_argument, "max_tokens must be at least 1"};
    if (auto why = sampler::grammar_error(s.mdl->vocab(), req.gen.grammar); !why.empty()) {
        return {status_code::invalid_argument, why};
    }
    if (req.on_event) {
        // The caller's callback runs on the engine thread: what it throws stops there.
        req.on_event = [f = std::move(req.on_event)](const completion_event & ev) {
            try {
                f(ev);
            } catch (const std::exception & e) {
                spdlog::error("engine: an event handler threw: {}", e.what());
            }
        };
    }
    auto r = std::make_unique<active_request>();
    const int ctx = s.opts.ctx_tokens;
    const int room = ctx - std::min(req.gen.max_tokens, ctx / 2);
    int hint = 0;
    {
        std::lock_guard<std::mutex> lock(s.drop_hints_mu);
        if (auto it = s.drop_hints.find(req.key.id()); it != s.drop_hints.end()) hint = it->second;
    }
    auto fitted = fit_messages(*s.tmpl, req.messages, room, ctx, hint);
    if (!fitted) return fitted.error();
    if (fitted->dropped_messages != hint) {
        std::lock_guard<std::mutex> lock(s.drop_hints_mu);
        s.drop_hints[req.key.id()] = fitted->dropped_messages;
    }
    r->prompt = std::move(fitted->tokens);
    r->max_prompt = static_cast<size_t>(room);
    r->dropped_messages = fitted->dropped_messages;
    if (req.messages.front().role == role::system) {
        const std::string & system = req.messages.front().content;
        std::vector<llama_token> prefix;
        {
            std::lock_guard<std::mutex> lock(s.prefix_cache_mu);
            if (auto it = s.system_prefix_cache.find(system); it != s.system_prefix_cache.end()) prefix = it->second;
        }
        if (prefix.empty()) {
            auto computed = s.tmpl->system_prefix(system);
            if (computed) {
                prefix = std::move(*computed);
                std::lock_guard<std::mutex> lock(s.prefix_cache_mu);
                if (s.system_prefix_cache.size() > 256) s.system_prefix_cache.clear();
                s.system_prefix_cache[system] = prefix;
            }
        }
        // Shared only if the prompt really starts with it (a template may render differently).
        if (prefix.size() < r->prompt.size() && std::equal(prefix.begin(), prefix.end(), r->prompt.begin())) {
            r->prefix_tokens = std::move(prefix);
            const auto & shared = s.opts.shared_system_prompts;
            r->prefix_scope = std::find(shared.begin(), shared.end(), system) != shared.end() ? "*" : req.key.person;
            r->prefix_id = impl::prefix_id_of(r->prefix_scope, r->prefix_tokens);
        }
    }
    r->t_submit = engine_clock::now();
    r->req = std::move(req);
    {
        std::lock_guard<std::mutex> lock(s.mu);
        if (s.stopping) return {status_code::cancelled, "the server is shutting down"};
        if (s.incoming.size() + s.g_pending.load() >= static_cast<size_t>(s.opts.max_pending)) {
            return {status_code::resource_exhausted, "too many requests are waiting; try again shortly"};
        }
        s.incoming.push_back(std::move(r));
    }
    s.cv.notify_all();
    return status::ok();
}

void engine::drop(const conversation_key & key, std::function<void(bool found)> done) {
    impl & s = *impl_;
    {
        std::lock_guard<std::mutex> lock(s.mu);
        if (!s.finished) {
            s.control.push_back([&s, key, done = std::move(done)] {
                const bool found = s.drop_now(key);
                if (done) done(found);
            });
            s.cv.notify_all();
            return;
        }
    }
    // The engine thread has ended (its states are saved): nothing else touches them now.
    bool found = false;
    {
        std::lock_guard<std::recursive_mutex> lock(s.after_mu);
        found = s.drop_now(key);
    }
    if (done) done(found);
}

void engine::drop_person(const std::string & person, std::function<void()> done) {
    impl & s = *impl_;
    {
        std::lock_guard<std::mutex> lock(s.mu);
        if (!s.finished) {
            s.control.push_back([&s, person, done = std::move(done)] {
                s.drop_person_now(person);
                if (done) done();
            });
            s.cv.notify_all();
            return;
        }
    }
    {
        std::lock_guard<std::recursive_mutex> lock(s.after_mu);
        s.drop_person_now(person);
    }
    if (done) done();
}

void engine::stop(int drain_ms) {
    impl & s = *impl_;
    {
        std::lock_guard<std::mutex> lock(s.mu);
        if (!s.thread.joinable()) return;
        if (!s.stopping) {
            s.stopping = true;
            s.drain_deadline = engine_clock::now() + std::chrono::milliseconds(drain_ms);
        }
    }
    s.cv.notify_all();
    s.thread.join();
    if (s.reader.joinable()) s.reader.join();  // woken by stopping, like the engine thread
}

engine_stats engine::stats() const {
    const impl & s = *impl_;
    engine_stats st;
    st.requests = s.n_requests;
    st.prompt_tokens = s.n_prompt;
    st.computed_tokens = s.n_computed;
    st.generated_tokens = s.n_generated;
    st.hits_resident = s.n_hit_resident;
    st.hits_ram = s.n_hit_ram;
    st.hits_disk = s.n_hit_disk;
    st.misses = s.n_miss;
    st.prefix_hits = s.n_prefix_hits;
    st.conversations_resident = s.g_resident;
    st.conversations_ram = s.g_ram;
    st.kv_ram_bytes = s.g_ram_bytes;
    if (s.disk) {
        st.conversations_disk = s.disk->count();
        st.kv_disk_bytes = s.disk->bytes();
    }
    st.pending = s.g_pending;
    st.active = s.g_active;
    return st;
}

const engine_options & engine::options() const { return impl_->opts; }

// ---- the engine thread ----

void engine::impl::run() {
    for (;;) {
        if (!wait_for_work()) break;
        try {
            run_control();
            admit();
            update_gauges();
            if (opts.before_step) opts.before_step();
            step();
            update_gauges();
        } catch (const std::exception & e) {
            recover(e.what());
        }
    }
    run_control();  // drops queued while draining
    save_everything();
    std::lock_guard<std::recursive_mutex> after(after_mu);  // inline drops wait for the last of the queued ones
    {
        std::lock_guard<std::mutex> lock(mu);
        finished = true;  // from now on a drop runs on its caller's thread
    }
    run_control();  // drops queued while saving: what was saved for them goes too
    update_gauges();
}

// Moves new requests in; sleeps when there is nothing to do. False = time to exit.
bool engine::impl::wait_for_work() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
        while (!incoming.empty()) {
            waiting.push_back(std::move(incoming.front()));
            incoming.pop_front();
        }
        g_pending = waiting.size();
        bool busy = !control.empty();
        for (const auto & sl : slots) busy = busy || sl.active;
        const bool late = stopping && engine_clock::now() >= drain_deadline;
        if (stopping) {
            if (late) {
                for (auto & sl : slots) {
                    if (sl.active) sl.active->req.cancelled->store(true);
                }
                for (auto & w : waiting) w->req.cancelled->store(true);
            }
            if (!busy && waiting.empty()) return false;
        }
        // Requests held for a read (or behind one of their conversation) wait
        // here for the reader, the deadline or new work, not in a loop.
        if (busy || read_finished || waiting.size() > waiting_held || late) {
            read_finished = false;
            return true;
        }
        if (stopping) {
            cv.wait_until(lock, drain_deadline);
        } else {
            cv.wait(lock);
        }
    }
}

void engine::impl::run_control() {
    std::deque<std::function<void()>> todo;
    {
        std::lock_guard<std::mutex> lock(mu);
        todo.swap(control);
    }
    for (auto & f : todo) f();
}

engine_slot * engine::impl::slot_for(const conversation_key & key) {
    for (auto & s : slots) {
        if (s.key && *s.key == key) return &s;
    }
    engine_slot * best = nullptr;
    for (auto & s : slots) {
        if (!s.key) return &s;
        if (!s.active && (!best || s.last_used < best->last_used)) best = &s;
    }
    if (best) evict(*best);
    return best;
}

void engine::impl::admit() {
    waiting_held = 0;
    for (auto it = waiting.begin(); it != waiting.end();) {
        auto & r = *it;
        if (r->req.cancelled->load()) {
            forget_reads([id = r->req.key.id()](const std::string & x) { return x == id; });
            fail(std::move(r), status(status_code::cancelled, "stopped before it started"));
            it = waiting.erase(it);
            continue;
        }
        // One request at a time per conversation, in order. One behind a reply
        // in progress is not counted as held: when that reply ends, no read
        // wakes the engine, and the request must be looked at again.
        bool generating = false, behind = false;
        for (const auto & s : slots) generating = generating || (s.active && s.active->req.key == r->req.key);
        for (auto jt = waiting.begin(); jt != it && !behind; ++jt) behind = (*jt)->req.key == r->req.key;
        if (generating || behind || read_ahead_pending(*r)) {
            waiting_held += !generating;
            ++it;
            continue;
        }
        engine_slot * s = slot_for(r->req.key);
        if (!s) break;  // every sequence is generating: wait for one
        bind(*s, std::move(r));
        it = waiting.erase(it);
    }
    g_pending = waiting.size();
}

void engine::impl::bind(engine_slot & s, std::unique_ptr<active_request> r) {
    const conversation_key & key = r->req.key;
    if (s.key && *s.key == key) {
        ++n_hit_resident;
    } else {
        clear(s);
        s.key = key;
        // Timed for --verbose: this runs on the engine thread, every stream waits for it.
        const auto t0 = engine_clock::now();
        std::optional<kv_saved_state> saved = ram->take(key);
        const char * tier = "RAM";
        if (saved) ++n_hit_ram;
        if (!saved && r->read_ahead) {
            saved = std::move(r->read_ahead);
            r->read_ahead.reset();
            ++n_hit_disk;
            tier = "disk, read ahead";
        }
        if (!saved && disk) {
            if (auto d = disk->load(key)) {
                saved = std::move(*d);
                ++n_hit_disk;
                tier = "disk";
            }
        }
        const auto t1 = engine_clock::now();
        if (!saved) {
            ++n_miss;
        } else if (!restore(s, *saved)) {
            // Counted as a hit above, but computed again: say so in the log.
            spdlog::debug("KV state of a conversation could not be restored; computing it again");
        } else if (spdlog::should_log(spdlog::level::debug)) {
            using ms = std::chrono::duration<double, std::milli>;
            spdlog::debug("engine restore: {} tokens ({} MiB) from {}: {:.1f} ms to read, {:.1f} ms into the cache",
                          saved->tokens.size(), saved->bytes.size() >> 20, tier, ms(t1 - t0).count(),
                          ms(engine_clock::now() - t1).count());
        }
    }
    if (s.tokens.empty() && !r->prefix_tokens.empty()) {
        shared_prefix * p = prefix_by_id(r->prefix_id);
        if (!p) p = load_prefix(r->prefix_id);  // kept from before a restart
        if (p && p->tokens == r->prefix_tokens && set_seq_bytes(s.seq, p->bytes)) {
            s.tokens = p->tokens;  // copied, not computed
            p->last_used = ++clock;
            ++n_prefix_hits;
        }
    }
    const llama_vocab * vocab = mdl->vocab();
    const auto token_text = [vocab](int32_t t) -> std::optional<std::string> {
        if (llama_vocab_is_control(vocab, t) || llama_vocab_is_eog(vocab, t)) return std::nullopt;
        return common_token_to_piece(vocab, t, /*special=*/false);
    };
    const size_t asked = r->prompt.size();
    size_t n = splice_known_tokens(s.tokens, r->prompt, token_text, r->max_prompt, r->prefix_tokens.size());
    if (r->prompt.size() != asked) {
        spdlog::debug("engine: earlier replies put back as generated: a prompt of {} tokens is {}, {} already computed", asked,
                      r->prompt.size(), n);
    }
    if (n == r->prompt.size()) --n;  // the last prompt token is evaluated again for its logits
    llama_memory_seq_rm(llama_get_memory(ctx.get()), s.seq, static_cast<llama_pos>(n), -1);
    s.tokens.resize(n);

    r->n_done = n;
    r->stats.prompt_tokens = static_cast<int>(r->prompt.size());
    r->stats.dropped_messages = r->dropped_messages;
    r->smpl = std::make_unique<sampler>(mdl->vocab(), r->req.gen.sampling, r->req.gen.ignore_eos, r->req.gen.grammar);
    r->stops = std::make_unique<stop_matcher>(r->req.stop);
    r->order = ++admissions;
    s.active = std::move(r);
    s.last_used = ++clock;
    ++n_requests;
    n_prompt += s.active->prompt.size();
}

// A step threw (out of memory, a bug): the replies in the slots end with an
// error and their cells are cleared; the thread goes on serving the rest.
void engine::impl::recover(const char * what) {
    spdlog::error("engine: a step failed ({}); stopping the replies in progress", what);
    for (auto & sl : slots) {
        if (!sl.active) continue;
        auto r = std::move(sl.active);
        clear(sl);
        fail(std::move(r), status(status_code::internal, "the engine failed on this request"));
    }
}

void engine::impl::fail(std::unique_ptr<active_request> r, const status & st) {
    completion_event ev;
    ev.type = completion_event::kind::error;
    ev.error = st;
    if (r->req.on_event) r->req.on_event(ev);
}

}  // namespace os1::llm
