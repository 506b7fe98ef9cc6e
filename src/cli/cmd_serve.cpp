// os1 serve: the OpenAI-compatible server over the engine.
#include <cstdio>

#include "cli/built_server.h"
#include "cli/commands.h"

namespace os1::cli {
namespace {

int run_serve(const options & o) {
    auto built = build_server(o);
    if (!built) return report(built.error());
    auto & b = **built;
    const auto & s = o.serve;
    std::fprintf(stderr, "os1 serve: http://%s:%d/v1 with %s (%d conversations resident, KV: %d MiB RAM, %d GiB disk)%s%s\n",
                 s.host.c_str(), b.http->port(), b.model_path.c_str(), s.parallel, s.kv_ram_mib, s.kv_disk_gib,
                 s.no_auth ? ", no auth" : "", o.companion.plain ? ", plain model" : o.memory.off ? ", no memory" : "");
    std::fflush(stderr);
    b.http->run(/*handle_signals=*/true);
    const auto st = b.engine->stats();
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
