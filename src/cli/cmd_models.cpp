// os1 models: the GGUF files in the models folder, and partial downloads.
#include <cstdio>
#include <filesystem>

#include "base/units.h"
#include "cli/commands.h"
#include "llm/gguf_probe.h"
#include "net/model_catalog.h"

namespace os1::cli {
namespace {

std::string params_text(uint64_t n) {
    char buf[32];
    if (n >= 1000000000ull) std::snprintf(buf, sizeof buf, "%.1fB", static_cast<double>(n) / 1e9);
    else std::snprintf(buf, sizeof buf, "%.0fM", static_cast<double>(n) / 1e6);
    return buf;
}

int run_models(const options & opts) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(opts.paths.models_dir, ec)) {
        for (const auto & entry : fs::directory_iterator(opts.paths.models_dir, ec)) {
            const auto name = entry.path().filename().string();
            if (entry.is_regular_file() && (entry.path().extension() == ".gguf" || name.ends_with(".gguf.part"))) {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end());
    std::printf("models in %s\n", opts.paths.models_dir.c_str());
    if (files.empty()) {
        std::printf("  none. `os1 pull` downloads the default model (%s); `os1 pull --list` shows others.\n",
                    net::default_chat_model().name);
        return exit_ok;
    }
    const std::string default_file = std::string(net::default_chat_model().name) + ".gguf";
    std::printf("%-40s %10s %-10s %-7s %7s  %s\n", "FILE", "SIZE", "ARCH", "TYPE", "PARAMS", "NOTE");
    for (const auto & p : files) {
        const std::string name = p.filename().string();
        if (name.ends_with(".part")) {
            std::printf("%-40s %10s %-10s %-7s %7s  %s\n", name.c_str(), format_bytes(fs::file_size(p, ec)).c_str(), "-",
                        "-", "-", "partial download: `os1 pull` again resumes it");
            continue;
        }
        auto info = llm::probe_gguf(p.string());
        if (!info) {
            std::printf("%-40s %10s %-10s %-7s %7s  %s\n", name.c_str(), format_bytes(fs::file_size(p, ec)).c_str(), "?",
                        "?", "?", info.error().message().c_str());
            continue;
        }
        std::string note = name == default_file ? "default" : "";
        if (info->name.find("random weights") != std::string::npos) note += note.empty() ? "test model" : ", test model";
        std::printf("%-40s %10s %-10s %-7s %7s  %s\n", name.c_str(), format_bytes(info->file_bytes).c_str(),
                    info->architecture.c_str(), info->file_type.c_str(), params_text(info->n_params).c_str(), note.c_str());
    }
    return exit_ok;
}

}  // namespace

void add_models_command(CLI::App & root, cli_context & ctx) {
    auto * cmd = root.add_subcommand("models", "list the models in the models folder");
    cmd->callback([&ctx] { ctx.run = run_models; });
}

}  // namespace os1::cli
