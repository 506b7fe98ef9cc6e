// os1 pull: download a GGUF into the models folder, resumable and verified.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "base/files.h"
#include "base/sha256.h"
#include "base/units.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "llm/gguf_probe.h"
#include "net/http_client.h"
#include "net/model_catalog.h"
#include "net/model_source.h"

namespace os1::cli {
namespace {

std::atomic<bool> stop_pull{false};

struct pull_args {
    std::string spec;
    bool list = false;
    bool force = false;
};

int print_catalog() {
    std::printf("%-24s %-10s %-8s %s\n", "NAME", "PURPOSE", "SIZE", "ABOUT");
    for (const auto & e : net::model_catalog()) {
        std::printf("%-24s %-10s %-8s %s%s\n", e.name, e.purpose, e.approx_size, e.about,
                    &e == &net::default_chat_model() ? " (default)" : "");
    }
    return exit_ok;
}

result<std::string> file_sha256(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return status(status_code::io_error, "cannot read '" + path + "'");
    sha256 h;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.update(buf.data(), static_cast<size_t>(in.gcount()));
    }
    return h.hex_digest();
}

int run_pull(const pull_args & a, const options & opts) {
    if (a.list) return print_catalog();
    const std::string spec = a.spec.empty() ? net::default_chat_model().name : a.spec;
    net::source_options so;
    so.hf_endpoint = opts.pull.hf_endpoint;
    if (const char * t = std::getenv("HF_TOKEN")) so.hf_token = t;
    auto src = net::resolve_model_source(spec, so);
    if (!src) return report(src.error());

    const std::string dest = opts.paths.models_dir + "/" + src->file_name;
    if (path_exists(dest) && !a.force) {
        std::printf("%s is already here (use --force to download it again)\n", dest.c_str());
        return exit_ok;
    }
    if (auto st = make_dirs(opts.paths.models_dir); !st) return report(st);
    std::fprintf(stderr, "pulling %s%s\n", src->described.c_str(),
                 src->size_bytes ? (" (" + format_bytes(src->size_bytes) + ")").c_str() : "");

    struct sigaction sa {};
    sa.sa_handler = [](int) { stop_pull.store(true); };
    sigaction(SIGINT, &sa, nullptr);

    const std::string part = dest + ".part";
    progress_bar bar(src->file_name);
    net::download_options dl;
    if (!so.hf_token.empty() && src->url.rfind(so.hf_endpoint, 0) == 0) dl.headers["Authorization"] = "Bearer " + so.hf_token;
    dl.cancel = &stop_pull;
    dl.on_progress = [&](const net::download_progress & p) {
        bar.update_bytes(p.done_bytes, p.total_bytes ? p.total_bytes : src->size_bytes, p.session_bytes);
    };
    auto got = net::download_file(src->url, part, dl);
    bar.finish();
    if (!got) {
        if (got.error().code() == status_code::cancelled) {
            std::fprintf(stderr, "stopped; run the same command again to resume\n");
            return exit_interrupted;
        }
        return report(got.error().with_context("the partial download is kept in " + part + " for the next try"));
    }
    if (got->resumed_from > 0) std::fprintf(stderr, "resumed from %s\n", format_bytes(got->resumed_from).c_str());

    if (!src->sha256.empty()) {
        auto sum = file_sha256(part);
        if (!sum) return report(sum.error());
        if (*sum != src->sha256) {
            std::remove(part.c_str());
            std::remove((part + ".meta").c_str());
            return report({status_code::corrupt, "checksum mismatch for " + src->described + ": expected sha256 " +
                                                     src->sha256 + ", got " + *sum + " (the download was deleted)"});
        }
        std::fprintf(stderr, "sha256 verified\n");
    } else {
        std::fprintf(stderr, "the source publishes no checksum: checked as GGUF only\n");
    }
    auto info = llm::probe_gguf(part);
    if (!info) return report(info.error().with_context("the download is not a usable model (kept as " + part + ")"));
    if (std::rename(part.c_str(), dest.c_str()) != 0) return report({status_code::io_error, "cannot rename to " + dest});
    std::remove((part + ".meta").c_str());
    fsync_path(opts.paths.models_dir);
    std::printf("%s (%s, %s)\n", dest.c_str(), format_bytes(info->file_bytes).c_str(), info->architecture.c_str());
    return exit_ok;
}

}  // namespace

void add_pull_command(CLI::App & root, cli_context & ctx) {
    auto args = std::make_shared<pull_args>();
    auto * cmd = root.add_subcommand("pull", "download a model: NAME, HF_USER/REPO[:QUANT] or URL (resumable)");
    cmd->add_option("model", args->spec, "what to download (default: " + std::string(net::default_chat_model().name) + ")");
    cmd->add_flag("--list", args->list, "list the named models");
    cmd->add_flag("--force", args->force, "download again even if the file is here");
    ctx.add_setting(cmd, "--hf-endpoint");
    cmd->callback([&ctx, args] { ctx.run = [args](const options & o) { return run_pull(*args, o); }; });
}

}  // namespace os1::cli
