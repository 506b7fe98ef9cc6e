// The engine's KV bookkeeping: moving conversations between the context, RAM
// and disk, and the shared prefixes.
#include <spdlog/spdlog.h>

#include "base/sha256.h"
#include "llm/engine_impl.h"
#include "llm/kv_state.h"

namespace os1::llm {

std::string engine::impl::prefix_id_of(const std::string & scope, const std::vector<llama_token> & t) {
    return scope + ":" +
           sha256_hex(std::string_view(reinterpret_cast<const char *>(t.data()), t.size() * sizeof(llama_token)))
               .substr(0, 16);
}

// A sequence's cells, in one-stream form.
std::vector<uint8_t> engine::impl::seq_bytes(llama_seq_id seq) {
    std::vector<uint8_t> bytes(llama_state_seq_get_size(ctx.get(), seq));
    bytes.resize(llama_state_seq_get_data(ctx.get(), bytes.data(), bytes.size(), seq));
    if (!to_one_stream(bytes)) {
        spdlog::error("engine: llama.cpp wrote a sequence state of an unknown layout; it will be computed again");
        bytes.clear();
    }
    return bytes;
}

// Replaces a sequence's cells by saved ones. False (and the sequence empty)
// when they do not load. ONE_STREAM is widened for llama.cpp in place and
// given back as it was.
bool engine::impl::set_seq_bytes(llama_seq_id seq, std::vector<uint8_t> & one_stream) {
    if (one_stream.size() < 16) return false;
    const auto n_stream = static_cast<uint32_t>(slots.size());
    widen_to_streams(one_stream, n_stream);
    const bool ok = llama_state_seq_set_data(ctx.get(), one_stream.data(), one_stream.size(), seq) != 0;
    narrow_to_one_stream(one_stream, n_stream);
    if (!ok) llama_memory_seq_rm(llama_get_memory(ctx.get()), seq, -1, -1);
    return ok;
}

// Serializes the slot's cells into the RAM tier; what RAM cannot hold goes to disk.
void engine::impl::evict(engine_slot & s) {
    if (!s.key) return;
    if (!s.tokens.empty()) {
        kv_saved_state st;
        st.key = *s.key;
        st.tokens.assign(s.tokens.begin(), s.tokens.end());
        st.bytes = seq_bytes(s.seq);
        if (!st.bytes.empty()) {
            for (auto & out : ram->put(std::move(st))) {
                if (disk && !out.key.scratch()) disk->put_async(std::move(out));
            }
        }
    }
    clear(s);
}

void engine::impl::clear(engine_slot & s) {
    llama_memory_seq_rm(llama_get_memory(ctx.get()), s.seq, -1, -1);
    s.key.reset();
    s.tokens.clear();
}

bool engine::impl::restore(engine_slot & s, kv_saved_state & st) {
    // A state of the unified cache kept its prefix apart (decision 0004): its cells are not all here.
    if (st.prefix_len > 0 || st.tokens.empty()) return false;
    if (!set_seq_bytes(s.seq, st.bytes)) return false;
    s.tokens.assign(st.tokens.begin(), st.tokens.end());
    return true;
}

shared_prefix * engine::impl::prefix_by_id(const std::string & id) {
    for (auto & p : prefixes) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

// Once a conversation has computed exactly its system prompt (the step stops a
// chunk there), those cells are kept as a shared prefix.
void engine::impl::maybe_register_prefix(engine_slot & s) {
    active_request & r = *s.active;
    const size_t len = r.prefix_tokens.size();
    if (len == 0 || s.tokens.size() != len) return;
    if (!std::equal(r.prefix_tokens.begin(), r.prefix_tokens.end(), s.tokens.begin())) return;
    if (prefix_by_id(r.prefix_id)) return;
    shared_prefix p;
    p.id = r.prefix_id;
    p.scope = r.prefix_scope;
    p.tokens = r.prefix_tokens;
    p.bytes = seq_bytes(s.seq);
    if (p.bytes.empty()) return;
    save_prefix(*keep_prefix(std::move(p)));
}

// Keeps a prefix in RAM, letting the least recently used one go (never the operator's).
shared_prefix * engine::impl::keep_prefix(shared_prefix p) {
    p.last_used = ++clock;
    if (prefixes.size() >= static_cast<size_t>(opts.max_shared_prefixes)) {
        auto oldest = prefixes.end();
        for (auto it = prefixes.begin(); it != prefixes.end(); ++it) {
            if (it->scope != "*" && (oldest == prefixes.end() || it->last_used < oldest->last_used)) oldest = it;
        }
        if (oldest != prefixes.end()) {
            *oldest = std::move(p);
            return &*oldest;
        }
    }
    prefixes.push_back(std::move(p));
    return &prefixes.back();
}

// A prefix is kept on disk too (under its scope, so erasing a person erases
// theirs), so that a restart does not compute it again.
conversation_key engine::impl::prefix_key(const std::string & id) {
    return {id.substr(0, id.find(':')), "\x01prefix " + id};
}

void engine::impl::save_prefix(const shared_prefix & p) {
    if (!prefix_disk) return;
    kv_saved_state st;
    st.key = prefix_key(p.id);
    st.tokens.assign(p.tokens.begin(), p.tokens.end());
    st.bytes = p.bytes;
    prefix_disk->put_async(std::move(st));
}

shared_prefix * engine::impl::load_prefix(const std::string & id) {
    if (!prefix_disk) return nullptr;
    auto st = prefix_disk->load(prefix_key(id));
    if (!st || st->tokens.empty() || st->prefix_len > 0) return nullptr;
    shared_prefix p;
    p.id = id;
    p.scope = st->key.person;
    p.tokens.assign(st->tokens.begin(), st->tokens.end());
    p.bytes = std::move(st->bytes);
    if (!to_one_stream(p.bytes)) return nullptr;
    return keep_prefix(std::move(p));
}

// The operator's shared prompts are computed at start, before anyone talks,
// in the first sequence, which is empty then.
status engine::impl::compute_shared_prompt(const std::string & system) {
    auto tokens = tmpl->system_prefix(system);
    if (!tokens) return tokens.error();
    if (tokens->empty()) return status::ok();
    const std::string id = prefix_id_of("*", *tokens);
    if (prefix_by_id(id)) return status::ok();
    if (shared_prefix * loaded = load_prefix(id); loaded && loaded->tokens == *tokens) {
        spdlog::info("shared prompt: {} tokens restored from disk", loaded->tokens.size());
        return status::ok();
    }
    if (tokens->size() >= static_cast<size_t>(opts.ctx_tokens)) {
        return {status_code::invalid_argument, "the shared prompt is longer than the context (--ctx)"};
    }
    const llama_seq_id seq = slots.front().seq;
    const int n_batch = opts.batch_tokens;
    for (size_t i = 0; i < tokens->size(); i += static_cast<size_t>(n_batch)) {
        const size_t n = std::min(tokens->size() - i, static_cast<size_t>(n_batch));
        batch.n_tokens = 0;
        for (size_t k = 0; k < n; ++k) {
            batch.token[k] = (*tokens)[i + k];
            batch.pos[k] = static_cast<llama_pos>(i + k);
            batch.n_seq_id[k] = 1;
            batch.seq_id[k][0] = seq;
            batch.logits[k] = 0;
        }
        batch.n_tokens = static_cast<int32_t>(n);
        if (llama_decode(ctx.get(), batch) != 0) {
            llama_memory_seq_rm(llama_get_memory(ctx.get()), seq, -1, -1);
            return {status_code::resource_exhausted, "the shared prompt could not be computed"};
        }
    }
    shared_prefix p;
    p.id = id;
    p.scope = "*";
    p.tokens = std::move(*tokens);
    p.bytes = seq_bytes(seq);
    llama_memory_seq_rm(llama_get_memory(ctx.get()), seq, -1, -1);
    if (p.bytes.empty()) return {status_code::internal, "the shared prompt's state could not be kept"};
    shared_prefix * kept = keep_prefix(std::move(p));
    save_prefix(*kept);
    spdlog::info("shared prompt: {} tokens computed once for everyone", kept->tokens.size());
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

// Whether R must wait for its state to be read from disk. The first call
// queues the read; the call after it finished hands the state to R.
bool engine::impl::read_ahead_pending(active_request & r) {
    if (!disk || r.read_ahead) return false;
    const conversation_key & key = r.req.key;
    for (const auto & s : slots) {
        if (s.key && *s.key == key) return false;  // resident
    }
    std::lock_guard<std::mutex> lock(mu);
    auto it = reads.find(key.id());
    if (it == reads.end()) {
        if (ram->contains(key) || !disk->contains(key)) return false;
        if (reads.size() >= slots.size()) return false;  // bounded: read on admission, as before
        reads[key.id()].ticket = ++read_tickets;
        to_read.emplace_back(key, read_tickets);
        cv.notify_all();
        return true;
    }
    if (!it->second.done) return true;
    r.read_ahead = std::move(it->second.state);
    reads.erase(it);
    return false;
}

void engine::impl::reader_loop() {
    for (;;) {
        std::pair<conversation_key, uint64_t> job;
        {
            std::unique_lock<std::mutex> lock(mu);
            cv.wait(lock, [this] { return stopping || !to_read.empty(); });
            if (to_read.empty()) return;  // stopping
            job = std::move(to_read.front());
            to_read.pop_front();
        }
        const auto t0 = engine_clock::now();
        auto st = disk->load(job.first);
        if (st && spdlog::should_log(spdlog::level::debug)) {
            spdlog::debug("engine read ahead: {} tokens ({} MiB) from disk in {:.1f} ms", st->tokens.size(),
                          st->bytes.size() >> 20,
                          std::chrono::duration<double, std::milli>(engine_clock::now() - t0).count());
        }
        {
            std::lock_guard<std::mutex> lock(mu);
            auto it = reads.find(job.first.id());
            // Dropped meanwhile (and perhaps asked for again): this read is stale.
            if (it == reads.end() || it->second.ticket != job.second) continue;
            it->second.done = true;
            if (st) it->second.state = std::move(*st);
            read_finished = true;
        }
        cv.notify_all();
    }
}

// Forgets the reads of the conversations WHICH names (by key id), done or not.
void engine::impl::forget_reads(const std::function<bool(const std::string & id)> & which) {
    std::lock_guard<std::mutex> lock(mu);
    std::erase_if(reads, [&](const auto & kv) { return which(kv.first); });
    std::erase_if(to_read, [&](const auto & job) { return which(job.first.id()); });
}

bool engine::impl::drop_now(const conversation_key & key) {
    {
        std::lock_guard<std::mutex> lock(drop_hints_mu);
        drop_hints.erase(key.id());
    }
    forget_reads([id = key.id()](const std::string & x) { return x == id; });
    for (auto & w : waiting) {
        if (w->req.key == key) w->read_ahead.reset();
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
    forget_reads([&](const std::string & id) { return id.rfind(person + '\x1f', 0) == 0; });
    for (auto & w : waiting) {
        if (w->req.key.person == person) w->read_ahead.reset();
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
    std::erase_if(prefixes, [&](const shared_prefix & p) { return p.scope == person; });
    ram->erase_person(person);
    if (disk) disk->erase_person(person);
    if (prefix_disk) prefix_disk->erase_person(person);
}

}  // namespace os1::llm
