// The engine's KV bookkeeping: moving conversations between the context, RAM
// and disk, and the shared prefixes.
#include <spdlog/spdlog.h>

#include "base/sha256.h"
#include "llm/engine_impl.h"

namespace os1::llm {
namespace {

std::string prefix_hash(const std::vector<llama_token> & t) {
    return sha256_hex(std::string_view(reinterpret_cast<const char *>(t.data()), t.size() * sizeof(llama_token)))
        .substr(0, 16);
}

}  // namespace

// Serializes the slot's own cells (not the shared prefix's) into the RAM tier;
// what RAM cannot hold goes to disk.
void engine::impl::evict(engine_slot & s) {
    if (!s.key) return;
    llama_memory_t mem = llama_get_memory(ctx.get());
    if (!s.tokens.empty()) {
        kv_saved_state st;
        st.key = *s.key;
        st.tokens.assign(s.tokens.begin(), s.tokens.end());
        st.prefix_id = s.prefix_id;
        st.prefix_len = s.prefix_len;
        if (s.prefix_len > 0) llama_memory_seq_rm(mem, s.seq, 0, s.prefix_len);
        if (static_cast<int>(s.tokens.size()) > s.prefix_len) {
            st.bytes.resize(llama_state_seq_get_size(ctx.get(), s.seq));
            const size_t n = llama_state_seq_get_data(ctx.get(), st.bytes.data(), st.bytes.size(), s.seq);
            st.bytes.resize(n);
        }
        for (auto & out : ram->put(std::move(st))) {
            if (disk && !out.key.scratch()) disk->put_async(std::move(out));
        }
    }
    clear(s);
}

void engine::impl::clear(engine_slot & s) {
    llama_memory_seq_rm(llama_get_memory(ctx.get()), s.seq, -1, -1);
    s.key.reset();
    s.tokens.clear();
    s.prefix_id.clear();
    s.prefix_len = 0;
}

bool engine::impl::restore(engine_slot & s, kv_saved_state & st) {
    llama_memory_t mem = llama_get_memory(ctx.get());
    shared_prefix * p = nullptr;
    if (st.prefix_len > 0) {
        p = prefix_by_id(st.prefix_id);
        if (!p) p = load_prefix(st.prefix_id);
        if (!p || static_cast<int>(p->tokens.size()) < st.prefix_len) return false;  // its prefix is gone
    }
    if (static_cast<int>(st.tokens.size()) > st.prefix_len) {
        size_t n = llama_state_seq_set_data(ctx.get(), st.bytes.data(), st.bytes.size(), s.seq);
        if (n == 0 && free_cells()) n = llama_state_seq_set_data(ctx.get(), st.bytes.data(), st.bytes.size(), s.seq);
        if (n == 0) {
            llama_memory_seq_rm(mem, s.seq, -1, -1);
            return false;
        }
    }
    if (p) {
        llama_memory_seq_cp(mem, p->seq, s.seq, 0, st.prefix_len);
        p->last_used = ++clock;
    }
    s.tokens.assign(st.tokens.begin(), st.tokens.end());
    s.prefix_id = st.prefix_id;
    s.prefix_len = st.prefix_len;
    return true;
}

// Makes room in the context: idle conversations go to RAM (oldest first), then
// prefixes no resident conversation uses are let go. False when nothing could go.
bool engine::impl::free_cells() {
    engine_slot * oldest = nullptr;
    for (auto & s : slots) {
        if (s.key && !s.active && !s.tokens.empty() && (!oldest || s.last_used < oldest->last_used)) oldest = &s;
    }
    if (oldest) {
        evict(*oldest);
        return true;
    }
    for (auto & p : prefixes) {
        if (!p.in_use) continue;
        bool used = false;
        for (const auto & s : slots) used = used || s.prefix_id == p.id;
        if (!used && p.scope != "*") {
            llama_memory_seq_rm(llama_get_memory(ctx.get()), p.seq, -1, -1);
            p.in_use = false;
            return true;
        }
    }
    return false;
}

shared_prefix * engine::impl::find_prefix(const std::string & scope, const std::vector<llama_token> & tokens, bool) {
    const std::string id = scope + ":" + prefix_hash(tokens);
    shared_prefix * p = prefix_by_id(id);
    return (p && p->tokens == tokens) ? p : nullptr;
}

shared_prefix * engine::impl::prefix_by_id(const std::string & id) {
    for (auto & p : prefixes) {
        if (p.in_use && p.id == id) return &p;
    }
    return nullptr;
}

// Once a conversation has computed its whole system prompt, those cells become
// a shared prefix that later conversations attach to instead of computing.
void engine::impl::maybe_register_prefix(engine_slot & s) {
    active_request & r = *s.active;
    const size_t len = r.prefix_tokens.size();
    if (len == 0 || s.prefix_len > 0 || s.tokens.size() < len) return;
    if (!std::equal(r.prefix_tokens.begin(), r.prefix_tokens.end(), s.tokens.begin())) return;
    if (find_prefix(r.prefix_scope, r.prefix_tokens, true)) return;
    shared_prefix * target = free_prefix_place();
    if (!target) return;
    llama_memory_seq_cp(llama_get_memory(ctx.get()), s.seq, target->seq, 0, static_cast<llama_pos>(len));
    target->scope = r.prefix_scope;
    target->tokens = r.prefix_tokens;
    target->id = r.prefix_scope + ":" + prefix_hash(r.prefix_tokens);
    target->in_use = true;
    target->last_used = ++clock;
    s.prefix_id = target->id;
    s.prefix_len = static_cast<int>(len);
    save_prefix(*target);
}

// A free place for a prefix, or the least recently used one that no resident
// conversation uses (the operator's are never replaced). Null when none.
shared_prefix * engine::impl::free_prefix_place() {
    shared_prefix * target = nullptr;
    for (auto & p : prefixes) {
        if (!p.in_use) return &p;
    }
    for (auto & p : prefixes) {
        bool used = p.scope == "*";
        for (const auto & sl : slots) used = used || sl.prefix_id == p.id;
        if (!used && (!target || p.last_used < target->last_used)) target = &p;
    }
    if (target) {
        llama_memory_seq_rm(llama_get_memory(ctx.get()), target->seq, -1, -1);
        target->in_use = false;
    }
    return target;
}

// A prefix is kept on disk too (under its scope, so erasing a person erases
// theirs), so that conversations saved with it can be restored after a restart.
conversation_key engine::impl::prefix_key(const std::string & id) {
    return {id.substr(0, id.find(':')), "\x01prefix " + id};
}

void engine::impl::save_prefix(const shared_prefix & p) {
    if (!prefix_disk) return;
    kv_saved_state st;
    st.key = prefix_key(p.id);
    st.tokens.assign(p.tokens.begin(), p.tokens.end());
    st.bytes.resize(llama_state_seq_get_size(ctx.get(), p.seq));
    st.bytes.resize(llama_state_seq_get_data(ctx.get(), st.bytes.data(), st.bytes.size(), p.seq));
    prefix_disk->put_async(std::move(st));
}

shared_prefix * engine::impl::load_prefix(const std::string & id) {
    if (!prefix_disk) return nullptr;
    auto st = prefix_disk->load(prefix_key(id));
    if (!st || st->tokens.empty()) return nullptr;
    shared_prefix * target = free_prefix_place();
    if (!target) return nullptr;
    if (llama_state_seq_set_data(ctx.get(), st->bytes.data(), st->bytes.size(), target->seq) == 0) return nullptr;
    target->id = id;
    target->scope = st->key.person;
    target->tokens.assign(st->tokens.begin(), st->tokens.end());
    target->in_use = true;
    target->last_used = ++clock;
    return target;
}

// The operator's shared prompts are computed at start, before anyone talks.
status engine::impl::compute_shared_prompt(const std::string & system) {
    auto tokens = tmpl->system_prefix(system);
    if (!tokens) return tokens.error();
    if (tokens->empty()) return status::ok();
    const std::string id = "*:" + prefix_hash(*tokens);
    if (prefix_by_id(id)) return status::ok();
    if (shared_prefix * loaded = load_prefix(id); loaded && loaded->tokens == *tokens) {
        spdlog::info("shared prompt: {} tokens restored from disk", loaded->tokens.size());
        return status::ok();
    }
    shared_prefix * target = free_prefix_place();
    if (!target) return {status_code::invalid_argument, "more shared prompts than shared prefix places"};
    const int n_batch = opts.batch_tokens;
    for (size_t i = 0; i < tokens->size(); i += static_cast<size_t>(n_batch)) {
        const size_t n = std::min(tokens->size() - i, static_cast<size_t>(n_batch));
        batch.n_tokens = 0;
        for (size_t k = 0; k < n; ++k) {
            batch.token[k] = (*tokens)[i + k];
            batch.pos[k] = static_cast<llama_pos>(i + k);
            batch.n_seq_id[k] = 1;
            batch.seq_id[k][0] = target->seq;
            batch.logits[k] = 0;
        }
        batch.n_tokens = static_cast<int32_t>(n);
        if (llama_decode(ctx.get(), batch) != 0) {
            return {status_code::resource_exhausted, "the shared prompt does not fit in the context"};
        }
    }
    target->scope = "*";
    target->tokens = std::move(*tokens);
    target->id = id;
    target->in_use = true;
    target->last_used = ++clock;
    save_prefix(*target);
    spdlog::info("shared prompt: {} tokens computed once for everyone", target->tokens.size());
    return status::ok();
}

// At shutdown every conversation's state goes to disk, where the next start finds it.
void engine::impl::save_everything() {
    if (!disk) return;
    for (auto & s : slots) evict(s);
    for (auto & st : ram->drain()) {
        if (!st.key.scratch()) disk->put_async(std::move(st));
    }
    disk->flush();
    prefix_disk->flush();
}

void engine::impl::update_gauges() {
    uint64_t resident = 0, active = 0;
    for (const auto & s : slots) {
        resident += s.key && !s.tokens.empty() && !s.key->scratch();
        active += s.active != nullptr;
    }
    g_resident = resident;
    g_active = active;
    g_ram = ram->conversations();
    g_ram_bytes = ram->bytes();
}

bool engine::impl::drop_now(const conversation_key & key) {
    {
        std::lock_guard<std::mutex> lock(drop_hints_mu);
        drop_hints.erase(key.id());
    }
    bool found = false;
    for (auto & s : slots) {
        if (s.key && *s.key == key) {
            found = true;
            if (s.active) {
                s.active->req.cancelled->store(true);
                s.drop_when_done = true;
            } else {
                clear(s);
            }
        }
    }
    found = ram->erase(key) || found;
    if (disk && disk->contains(key)) {
        disk->erase(key);
        found = true;
    }
    return found;
}

void engine::impl::drop_person_now(const std::string & person) {
    {
        std::lock_guard<std::mutex> lock(drop_hints_mu);
        std::erase_if(drop_hints, [&](const auto & kv) { return kv.first.rfind(person + '\x1f', 0) == 0; });
    }
    for (auto & s : slots) {
        if (s.key && s.key->person == person) {
            if (s.active) {
                s.active->req.cancelled->store(true);
                s.drop_when_done = true;
            } else {
                clear(s);
            }
        }
    }
    for (auto & p : prefixes) {
        if (p.in_use && p.scope == person) {
            llama_memory_seq_rm(llama_get_memory(ctx.get()), p.seq, -1, -1);
            p.in_use = false;
        }
    }
    ram->erase_person(person);
    if (disk) disk->erase_person(person);
    if (prefix_disk) prefix_disk->erase_person(person);
}

}  // namespace os1::llm
