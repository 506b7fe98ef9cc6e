#include "cli/built_server.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "base/files.h"
#include "cli/local_data.h"
#include "cli/model_path.h"
#include "cli/voice_choice.h"
#include "memory/memory_worker.h"

namespace os1::cli {

result<std::unique_ptr<built_server>> build_server(const options & o, const std::optional<serve_place> & place) {
    auto path = resolve_model_path(o);
    if (!path) return path.error();
    const auto voices = voice_settings_of(o.voice);
    if (!o.voice.off) {  // a wrong voice setting is named before the model loads
        if (auto v = voice::voice_set::open(voices); !v) return v.error();
    }
    const auto & s = o.serve;
    llm::engine_options eo;
    eo.parallel = place ? std::min(s.parallel, 2) : s.parallel;  // one person: their voice and their background learning
    eo.ctx_tokens = o.model.ctx_tokens;
    eo.batch_tokens = o.model.batch_tokens;
    eo.prefill_chunk_busy = s.prefill_chunk;
    eo.threads = o.model.threads;
    eo.kv_ram_bytes = static_cast<uint64_t>(s.kv_ram_mib) << 20;
    eo.kv_disk_bytes = static_cast<uint64_t>(s.kv_disk_gib) << 30;
    // The base character (or the operator's own prompt file in its place) is
    // the first system message of everyone's prompts: computed once, shared.
    std::string persona = o.companion.plain ? "" : o.companion.character;
    if (!s.shared_prompt.empty()) {
        auto text = read_file(s.shared_prompt);
        if (!text) return text.error().with_context("--shared-prompt");
        persona = *text;
    }
    if (!persona.empty()) eo.shared_system_prompts.push_back(persona);
    std::unique_ptr<memory::memory_worker> memory;
    std::unique_ptr<llm::embedder> embedder;  // used on the memory thread only
    if (!o.memory.off) {
        if (auto st = make_private_dirs(o.paths.data_dir); !st) return st;
        auto store = memory::memory_store::open(o.paths.data_dir + "/memory.db");
        if (!store) return store.error().with_context("memory");
        auto e = open_embedder(o, **store);
        if (!e) return e.error();
        embedder = std::move(*e);
        memory = std::make_unique<memory::memory_worker>(std::move(*store));
    }

    model_options mo = o.model;
    mo.ctx_tokens = eo.parallel * eo.ctx_tokens;  // the memory check counts the whole KV cache
    auto mdl = llm::model::load(*path, mo);
    if (!mdl) return mdl.error();
    eo.kv_dir = o.paths.data_dir + "/kv/" + (*mdl)->fingerprint();
    auto engine = llm::engine::start(*mdl, eo);
    if (!engine) return engine.error();
    auto out = std::make_unique<built_server>();
    out->model_path = *path;
    out->model = *mdl;
    out->engine = std::move(*engine);

    server::server_options so;
    so.host = place ? place->host : s.host;
    so.port = place ? place->port : s.port;
    so.io_threads = s.io_threads;
    so.no_auth = place ? false : s.no_auth;
    so.users_file = place ? place->users_file : o.paths.data_dir + "/users.json";
    so.model_name = (*mdl)->info().name.empty() ? std::filesystem::path(*path).stem().string() : (*mdl)->info().name;
    so.max_body_bytes = static_cast<uint64_t>(s.max_body_kib) << 10;
    so.rate_per_minute = s.rate_per_minute;
    so.max_connections = s.max_connections;
    so.max_connections_per_address = s.max_connections_per_address;
    for (size_t at = 0; at < s.allow_origin.size();) {
        const size_t comma = std::min(s.allow_origin.find(',', at), s.allow_origin.size());
        std::string origin = s.allow_origin.substr(at, comma - at);
        origin.erase(0, origin.find_first_not_of(' '));
        origin.erase(origin.find_last_not_of(" /") + 1);
        if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
            return status(status_code::invalid_argument,
                                 "--allow-origin: '" + origin + "' is not an origin (scheme://host[:port])");
        }
        so.allow_origins.push_back(std::move(origin));
        at = comma + 1;
    }
    so.web_root = s.web;
    so.voice = !o.voice.off;
    so.voice_engines = voices;
    so.max_upload_bytes = static_cast<uint64_t>(o.voice.max_upload_mib) << 20;
    so.drain_ms = s.drain_s * 1000;
    so.max_tokens_default = o.chat.max_tokens;
    so.persona = persona;
    auto feelings = server::parse_feelings_mode(o.companion.feelings);
    if (!feelings) return feelings.error().with_context("--feelings");
    so.feelings = *feelings;
    so.evolve_every = o.companion.evolve_every;
    so.initiative = !o.companion.no_initiative;
    so.initiative_tick_ms = o.companion.initiative_tick_s * 1000;
    so.onboarding.enabled = !o.companion.no_onboarding;
    so.onboarding.default_name = o.companion.default_name;
    so.assistant_name = o.companion.default_name;
    so.memory.recall_items = o.memory.recall_items;
    so.memory.recall_words = o.memory.recall_words;
    so.memory.recall_words_later = o.memory.recall_words_later;
    so.memory.recall_floor = o.memory.recall_floor;
    so.distill_every = o.memory.distill_every;
    so.memory.embedder = embedder.get();
    out->embedder = std::move(embedder);
    if (!so.no_auth) {
        out->users = std::make_unique<server::users_store>(so.users_file);
        auto people = out->users->list();
        if (!people) return people.error();
        if (people->empty() && !place) {
            std::fprintf(stderr, "note: nobody can connect yet: add people with `os1 users add NAME` "
                                 "(or serve yourself only with --no-auth)\n");
        }
    }
    out->http = std::make_unique<server::http_server>(so, *out->engine, out->users.get(), std::move(memory));
    if (auto st = out->http->listen(); !st) return st;
    out->parallel = eo.parallel;
    return out;
}

}  // namespace os1::cli
