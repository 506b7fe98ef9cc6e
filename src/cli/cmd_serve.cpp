// os1 serve: the OpenAI-compatible server over the engine.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "base/files.h"
#include "cli/commands.h"
#include "cli/local_data.h"
#include "cli/model_path.h"
#include "cli/voice_choice.h"
#include "llm/engine.h"
#include "memory/memory_worker.h"
#include "server/http_server.h"

namespace os1::cli {
namespace {

int run_serve(const options & o) {
    auto path = resolve_model_path(o);
    if (!path) return report(path.error());
    const auto voices = voice_settings_of(o.voice);
    if (!o.voice.off) {  // a wrong voice setting is named before the model loads
        if (auto v = voice::voice_set::open(voices); !v) return report(v.error());
    }
    const auto & s = o.serve;
    llm::engine_options eo;
    eo.parallel = s.parallel;
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
        if (!text) return report(text.error().with_context("--shared-prompt"));
        persona = *text;
    }
    if (!persona.empty()) eo.shared_system_prompts.push_back(persona);
    std::unique_ptr<memory::memory_worker> memory;
    std::unique_ptr<llm::embedder> embedder;  // used on the memory thread only
    if (!o.memory.off) {
        if (auto st = make_private_dirs(o.paths.data_dir); !st) return report(st);
        auto store = memory::memory_store::open(o.paths.data_dir + "/memory.db");
        if (!store) return report(store.error().with_context("memory"));
        auto e = open_embedder(o, **store);
        if (!e) return report(e.error());
        embedder = std::move(*e);
        memory = std::make_unique<memory::memory_worker>(std::move(*store));
    }

    model_options mo = o.model;
    mo.ctx_tokens = eo.parallel * eo.ctx_tokens;  // the memory check counts the whole KV cache
    auto mdl = llm::model::load(*path, mo);
    if (!mdl) return report(mdl.error());
    eo.kv_dir = o.paths.data_dir + "/kv/" + (*mdl)->fingerprint();
    auto engine = llm::engine::start(*mdl, eo);
    if (!engine) return report(engine.error());

    server::server_options so;
    so.host = s.host;
    so.port = s.port;
    so.io_threads = s.io_threads;
    so.no_auth = s.no_auth;
    so.users_file = o.paths.data_dir + "/users.json";
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
            return report(status(status_code::invalid_argument,
                                 "--allow-origin: '" + origin + "' is not an origin (scheme://host[:port])"));
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
    if (!feelings) return report(feelings.error().with_context("--feelings"));
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
    std::unique_ptr<server::users_store> users;
    if (!s.no_auth) {
        users = std::make_unique<server::users_store>(so.users_file);
        auto people = users->list();
        if (!people) return report(people.error());
        if (people->empty()) {
            std::fprintf(stderr, "note: nobody can connect yet: add people with `os1 users add NAME` "
                                 "(or serve yourself only with --no-auth)\n");
        }
    }
    server::http_server http(so, **engine, users.get(), std::move(memory));
    if (auto st = http.listen(); !st) return report(st);
    std::fprintf(stderr, "os1 serve: http://%s:%d/v1 with %s (%d conversations resident, KV: %d MiB RAM, %d GiB disk)%s%s\n",
                 s.host.c_str(), http.port(), path->c_str(), s.parallel, s.kv_ram_mib, s.kv_disk_gib,
                 s.no_auth ? ", no auth" : "", o.companion.plain ? ", plain model" : o.memory.off ? ", no memory" : "");
    std::fflush(stderr);
    http.run(/*handle_signals=*/true);
    const auto st = (*engine)->stats();
    std::fprintf(stderr, "os1 serve: stopped; %llu conversations saved on disk\n",
                 static_cast<unsigned long long>(st.conversations_disk));
    return exit_ok;
}

}  // namespace

void add_serve_command(CLI::App & root, cli_context & ctx) {
    auto * cmd = root.add_subcommand("serve", "serve the OpenAI-compatible API to many people at once");
    for (const char * flag : {"--model", "--host", "--port", "--threads", "--io-threads", "--parallel", "--ctx", "--batch",
                              "--kv-ram-mib", "--kv-disk-gib", "--prefill-chunk", "--no-auth", "--rate-per-minute",
                              "--max-body-kib", "--drain-s", "--shared-prompt", "--allow-origin", "--web",
                              "--max-connections", "--max-connections-per-address", "--max-tokens",
                              "--no-memory", "--recall-items", "--recall-words", "--recall-words-later", "--recall-floor", "--distill-every", "--embed-model",
                              "--plain", "--character", "--no-onboarding", "--default-name", "--feelings", "--evolve-every",
                              "--no-initiative", "--initiative-tick-s", "--no-voice", "--stt", "--stt-url", "--stt-model", "--tts",
                              "--tts-url", "--tts-model", "--voice", "--voice-key-env", "--max-upload-mib"}) {
        ctx.add_setting(cmd, flag);
    }
    cmd->callback([&ctx] { ctx.run = run_serve; });
}

}  // namespace os1::cli
