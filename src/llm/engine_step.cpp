// One step of the engine: a batch of one token per generating conversation
// plus bounded chunks of prompt, decoded together, then sampled.
#include <common.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "llm/engine_impl.h"
#include "llm/prefill_order.h"

namespace os1::llm {
namespace {

struct planned {
    engine_slot * slot;
    int first;    // index of its first token in the batch
    int count;    // tokens it has in the batch
    bool logits;  // its last token's logits are sampled
};

void add(llama_batch & b, llama_token t, llama_pos pos, llama_seq_id seq, bool logits) {
    const int i = b.n_tokens++;
    b.token[i] = t;
    b.pos[i] = pos;
    b.n_seq_id[i] = 1;
    b.seq_id[i][0] = seq;
    b.logits[i] = logits ? 1 : 0;
}

double ms_between(engine_clock::time_point a, engine_clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

void engine::impl::step() {
    for (auto & s : slots) {
        if (s.active && s.active->req.cancelled->load()) finish(s, stop_reason::cancelled);
    }
    // What each sequence adds: one token per generating conversation, then
    // prompt chunks, small ones while others stream.
    std::vector<int> take(slots.size(), 0);
    int budget = opts.batch_tokens;
    bool any_generating = false;
    for (size_t i = 0; i < slots.size() && budget > 0; ++i) {
        if (slots[i].active && slots[i].active->generating) {
            take[i] = 1;
            --budget;
            any_generating = true;
        }
    }
    int chunk_left = any_generating ? std::min(budget, opts.prefill_chunk_busy) : budget;
    std::vector<size_t> prefilling;
    for (size_t i = 0; i < slots.size(); ++i) {
        if (slots[i].active && !slots[i].active->generating) prefilling.push_back(i);
    }
    std::vector<waiting_prompt> views;
    for (size_t i : prefilling) {
        const active_request & r = *slots[i].active;
        views.push_back({r.prompt.size() - r.n_done, r.t_submit, r.order});
    }
    std::vector<size_t> ordered;
    for (size_t k : prefill_order(views, engine_clock::now(), opts.prefill_patience)) ordered.push_back(prefilling[k]);
    prefilling = std::move(ordered);
    for (size_t i : prefilling) {
        if (chunk_left == 0) break;
        const active_request & r = *slots[i].active;
        size_t n = std::min(r.prompt.size() - r.n_done, static_cast<size_t>(chunk_left));
        // A system prompt not kept yet: the chunk stops where it ends, so that its cells can be kept alone.
        const size_t prefix_len = r.prefix_tokens.size();
        if (r.n_done < prefix_len && !prefix_by_id(r.prefix_id)) n = std::min(n, prefix_len - r.n_done);
        take[i] = static_cast<int>(n);
        chunk_left -= static_cast<int>(n);
    }
    // The batch in sequence order: llama.cpp splits a batch over separate KV
    // streams into runs of consecutive sequence ids, each its own pass. (Filling
    // the gaps with dummy tokens to make one pass was measured slower: decision 0004.)
    batch.n_tokens = 0;
    std::vector<planned> plan;
    for (size_t i = 0; i < slots.size(); ++i) {
        if (take[i] == 0) continue;
        engine_slot & s = slots[i];
        active_request & r = *s.active;
        const auto pos = static_cast<llama_pos>(s.tokens.size());
        if (r.generating) {
            plan.push_back({&s, batch.n_tokens, 1, true});
            add(batch, r.next, pos, s.seq, true);
            continue;
        }
        const bool last = r.n_done + static_cast<size_t>(take[i]) == r.prompt.size();
        plan.push_back({&s, batch.n_tokens, take[i], last});
        for (int k = 0; k < take[i]; ++k) {
            add(batch, r.prompt[r.n_done + static_cast<size_t>(k)], pos + k, s.seq, last && k == take[i] - 1);
        }
    }
    if (plan.empty()) return;
    const auto t_decode = engine_clock::now();
    const int rc = llama_decode(ctx.get(), batch);
    if (spdlog::should_log(spdlog::level::debug)) {
        // Where the engine's time goes (--verbose): what a step held and what it cost.
        int prompt_tokens = 0, prompts = 0, generating = 0;
        for (const auto & p : plan) {
            if (p.slot->active->generating) {
                ++generating;
            } else {
                prompt_tokens += p.count;
                ++prompts;
            }
        }
        spdlog::debug("engine step: {} prompt tokens of {} conversations, {} generating, {:.1f} ms", prompt_tokens, prompts,
                      generating, ms_between(t_decode, engine_clock::now()));
    }
    if (rc != 0) {
        // Each conversation has its own stream of ctx_tokens cells and never
        // outgrows it, so this is llama.cpp failing: stop the replies in this batch.
        spdlog::error("llama_decode failed ({}); stopping the replies in this batch", rc);
        for (auto & p : plan) {
            auto r = std::move(p.slot->active);
            clear(*p.slot);
            fail(std::move(r), status(status_code::internal, "the model failed to evaluate this request"));
        }
        return;
    }
    // Commit what the batch added to each sequence, then sample.
    for (auto & p : plan) {
        engine_slot & s = *p.slot;
        active_request & r = *s.active;
        for (int k = 0; k < p.count; ++k) s.tokens.push_back(batch.token[p.first + k]);
        if (!r.generating) {
            r.n_done += static_cast<size_t>(p.count);
            r.stats.computed_tokens += p.count;
            n_computed += static_cast<uint64_t>(p.count);
            maybe_register_prefix(s);
        }
    }
    for (auto & p : plan) {
        if (p.logits && p.slot->active) accept_token(*p.slot, p.first + p.count - 1);
    }
}

// Samples the next token of a slot's reply and streams its text.
void engine::impl::accept_token(engine_slot & s, int batch_index) {
    active_request & r = *s.active;
    const llama_vocab * vocab = mdl->vocab();
    const llama_token tok = r.smpl->sample_at(ctx.get(), batch_index);
    const auto now = engine_clock::now();
    if (!r.generating) {
        r.generating = true;
        r.stats.prompt_ms = ms_between(r.t_submit, now);
    }
    ++r.stats.generated_tokens;
    ++n_generated;
    if (!r.req.gen.ignore_eos && llama_vocab_is_eog(vocab, tok)) {
        finish(s, stop_reason::end_of_turn);
        return;
    }
    emit_text(r, r.utf8.push(common_token_to_piece(vocab, tok, /*special=*/false)));
    if (r.stops->stopped()) {
        finish(s, stop_reason::end_of_turn);
    } else if (r.stats.generated_tokens >= r.req.gen.max_tokens) {
        finish(s, stop_reason::max_tokens);
    } else if (static_cast<int>(s.tokens.size()) + 1 >= opts.ctx_tokens) {
        finish(s, stop_reason::context_full);
    } else {
        r.next = tok;
    }
}

void engine::impl::emit_text(active_request & r, const std::string & text) {
    if (text.empty()) return;
    const std::string shown = r.stops->push(text);
    if (shown.empty() || !r.req.on_event) return;
    completion_event ev;
    ev.type = completion_event::kind::text;
    ev.text = shown;
    r.req.on_event(ev);
}

void engine::impl::finish(engine_slot & s, stop_reason reason) {
    auto r = std::move(s.active);
    emit_text(*r, r->utf8.flush());
    const std::string rest = r->stops->flush();
    completion_event ev;
    if (!rest.empty() && r->req.on_event) {
        ev.text = rest;
        r->req.on_event(ev);
    }
    r->stats.reason = reason;
    const auto now = engine_clock::now();
    if (!r->generating) r->stats.prompt_ms = ms_between(r->t_submit, now);
    r->stats.generate_ms = ms_between(r->t_submit, now) - r->stats.prompt_ms;
    ev.type = completion_event::kind::done;
    ev.text.clear();
    ev.stats = r->stats;
    if (r->req.on_event) r->req.on_event(ev);
    s.last_used = ++clock;
    if (s.drop_when_done) {
        clear(s);
        s.drop_when_done = false;
    }
}

}  // namespace os1::llm
