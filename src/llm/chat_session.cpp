#include "llm/chat_session.h"

#include <common.h>
#include <llama-cpp.h>
#include <llama.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "base/system.h"
#include "base/utf8.h"
#include "llm/backend.h"
#include "llm/chat_template.h"
#include "llm/sampler.h"

namespace os1::llm {
namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

}  // namespace

const char * stop_reason_name(stop_reason r) {
    switch (r) {
        case stop_reason::end_of_turn: return "stop";
        case stop_reason::max_tokens: return "length";
        case stop_reason::context_full: return "context_full";
        case stop_reason::cancelled: return "cancelled";
    }
    return "unknown";
}

struct chat_session::impl {
    std::shared_ptr<model> mdl;
    llama_context_ptr ctx;
    std::unique_ptr<chat_template> tmpl;
    int drop_hint = 0;  // where the conversation was last cut to fit (see fit_messages)
    std::vector<llama_token> evaluated;  // the tokens whose K/V sit in sequence 0, in order
    std::unique_ptr<sampler> smpl;  // kept across replies so a seeded RNG continues its sequence
    const std::atomic<bool> * cancel = nullptr;
    int n_batch = 512;

    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }

    // Drops KV cells past the longest common prefix and evaluates the rest.
    status evaluate(const std::vector<llama_token> & tokens, reply_stats & stats) {
        size_t keep = 0;
        while (keep < evaluated.size() && keep < tokens.size() && evaluated[keep] == tokens[keep]) ++keep;
        // The last prompt token must be evaluated again to get logits for sampling.
        if (keep == tokens.size()) --keep;
        llama_memory_seq_rm(llama_get_memory(ctx.get()), 0, static_cast<llama_pos>(keep), -1);
        evaluated.resize(keep);
        for (size_t i = keep; i < tokens.size(); i += static_cast<size_t>(n_batch)) {
            const size_t n = std::min(tokens.size() - i, static_cast<size_t>(n_batch));
            const int rc = decode(tokens.data() + i, n);
            if (rc != 0) return decode_failure(rc);
            stats.computed_tokens += static_cast<int>(n);
        }
        return status::ok();
    }

    int decode(const llama_token * toks, size_t n) {
        const int rc = llama_decode(ctx.get(), llama_batch_get_one(const_cast<llama_token *>(toks), static_cast<int32_t>(n)));
        if (rc == 0) {
            evaluated.insert(evaluated.end(), toks, toks + n);
        } else {
            // A failed or aborted batch may leave some of its cells behind: drop them
            // so that `evaluated` stays the exact contents of the sequence.
            llama_memory_seq_rm(llama_get_memory(ctx.get()), 0, static_cast<llama_pos>(evaluated.size()), -1);
        }
        return rc;
    }

    status decode_failure(int rc) const {
        if (rc == 2 || cancelled()) return {status_code::cancelled, "stopped"};
        if (rc == 1) return {status_code::resource_exhausted, "no room left in the KV cache"};
        return {status_code::internal, "llama_decode failed with code " + std::to_string(rc)};
    }

    sampler & sampler_for(const generation_options & gen) {
        if (!smpl || !smpl->made_for(gen.sampling, gen.ignore_eos)) {
            smpl = std::make_unique<sampler>(mdl->vocab(), gen.sampling, gen.ignore_eos, gen.grammar);
        }
        return *smpl;
    }
};

chat_session::chat_session(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
chat_session::~chat_session() = default;

result<std::unique_ptr<chat_session>> chat_session::create(std::shared_ptr<model> m, const model_options & opts) {
    ensure_backend();
    auto p = std::make_unique<impl>();
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(opts.ctx_tokens);
    cp.n_batch = static_cast<uint32_t>(opts.batch_tokens);
    cp.n_ubatch = static_cast<uint32_t>(opts.batch_tokens);
    cp.n_seq_max = 1;
    cp.n_threads = opts.threads > 0 ? opts.threads : physical_cores();
    cp.n_threads_batch = cp.n_threads;
    cp.no_perf = true;
    cp.abort_callback = [](void * data) { return static_cast<impl *>(data)->cancelled(); };
    cp.abort_callback_data = p.get();
    p->n_batch = opts.batch_tokens;
    take_llama_errors();
    p->ctx.reset(llama_init_from_model(m->raw(), cp));
    if (!p->ctx) {
        return status(status_code::resource_exhausted,
                      "could not create a context of " + std::to_string(opts.ctx_tokens) + " tokens: " +
                          take_llama_errors());
    }
    auto tmpl = chat_template::create(m->raw());
    if (!tmpl) return tmpl.error();
    p->tmpl = std::move(*tmpl);
    p->mdl = std::move(m);
    return std::unique_ptr<chat_session>(new chat_session(std::move(p)));
}

int chat_session::n_ctx() const { return static_cast<int>(llama_n_ctx(impl_->ctx.get())); }

result<std::string> chat_session::render(const std::vector<chat_message> & messages) const {
    return impl_->tmpl->render(messages);
}

result<reply_stats> chat_session::reply(const std::vector<chat_message> & messages_in, const generation_options & gen,
                                        const text_sink & on_text, std::string & reply_text,
                                        const std::atomic<bool> * cancel) {
    impl & s = *impl_;
    s.cancel = cancel;
    reply_text.clear();
    reply_stats stats;
    const auto t0 = clock_type::now();
    if (messages_in.empty() || messages_in.back().role != "user") {
        return status(status_code::invalid_argument, "a reply needs a conversation ending with a user message");
    }
    if (auto why = sampler::grammar_error(s.mdl->vocab(), gen.grammar); !why.empty()) {
        return status(status_code::invalid_argument, why);
    }

    const int room = n_ctx() - std::min(gen.max_tokens, n_ctx() / 2);
    auto fitted = fit_messages(*s.tmpl, messages_in, room, n_ctx(), s.drop_hint);
    if (!fitted) return fitted.error();
    s.drop_hint = fitted->dropped_messages;
    std::vector<llama_token> prompt = std::move(fitted->tokens);
    stats.dropped_messages = fitted->dropped_messages;
    if (stats.dropped_messages > 0) spdlog::debug("left out {} old messages to fit the context", stats.dropped_messages);
    stats.prompt_tokens = static_cast<int>(prompt.size());

    if (auto st = s.evaluate(prompt, stats); !st) {
        if (st.code() == status_code::cancelled) {
            stats.reason = stop_reason::cancelled;
            stats.prompt_ms = ms_since(t0);
            return stats;
        }
        return st;
    }

    sampler & smp = s.sampler_for(gen);
    const llama_vocab * vocab = s.mdl->vocab();
    utf8_stream utf8;
    const auto t1 = clock_type::now();
    stats.prompt_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    for (;;) {
        if (s.cancelled()) { stats.reason = stop_reason::cancelled; break; }
        if (stats.generated_tokens >= gen.max_tokens) { stats.reason = stop_reason::max_tokens; break; }
        if (static_cast<int>(s.evaluated.size()) >= n_ctx()) { stats.reason = stop_reason::context_full; break; }
        const llama_token tok = smp.sample(s.ctx.get());
        ++stats.generated_tokens;
        if (!gen.ignore_eos && llama_vocab_is_eog(vocab, tok)) {
            // Not decoded now: the next turn evaluates it with its own new tokens.
            stats.reason = stop_reason::end_of_turn;
            break;
        }
        const std::string text = utf8.push(common_token_to_piece(vocab, tok, /*special=*/false));
        if (!text.empty()) {
            reply_text += text;
            if (on_text) on_text(text);
        }
        const int rc = s.decode(&tok, 1);
        if (rc != 0) {
            const status st = s.decode_failure(rc);
            if (st.code() == status_code::cancelled) { stats.reason = stop_reason::cancelled; break; }
            return st;
        }
    }
    const std::string rest = utf8.flush();
    if (!rest.empty()) {
        reply_text += rest;
        if (on_text) on_text(rest);
    }
    stats.generate_ms = ms_since(t1);
    s.cancel = nullptr;
    return stats;
}

}  // namespace os1::llm
