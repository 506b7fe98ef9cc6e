// os1 doctor: what this machine and installation have, and for everything
// missing, the command that fixes it.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/config.h"
#include "base/files.h"
#include "base/huge_pages.h"
#include "base/system.h"
#include "base/units.h"
#include "cli/commands.h"
#include "llm/backend.h"
#include "llm/gguf_probe.h"
#include "memory/memory_store.h"
#include "net/model_catalog.h"
#include "os1/version.h"

namespace os1::cli {
namespace {

constexpr uint64_t low_disk_bytes = 4ull << 30;  // a default model plus KV states

class checklist {
public:
    void ok(const std::string & what, const std::string & detail) { line("ok", what, detail, ""); }
    void warn(const std::string & what, const std::string & detail, const std::string & fix) {
        line("warn", what, detail, fix);
    }
    void missing(const std::string & what, const std::string & detail, const std::string & fix) {
        ++missing_;
        line("MISSING", what, detail, fix);
    }
    int missing_count() const { return missing_; }

private:
    static void line(const char * state, const std::string & what, const std::string & detail, const std::string & fix) {
        std::printf("%-8s %-12s %s\n", state, what.c_str(), detail.c_str());
        if (!fix.empty()) std::printf("%-8s %-12s fix: %s\n", "", "", fix.c_str());
    }
    int missing_ = 0;
};

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    }
    return "unknown CPU";
}

// "CPU : SSE3 = 1 | AVX2 = 1 | ..." -> "SSE3 AVX2 ..."
std::string cpu_features() {
    const std::string info = llm::backend_system_info();
    std::string out;
    size_t pos = 0;
    while ((pos = info.find(" = 1", pos)) != std::string::npos) {
        const size_t start = info.rfind(' ', pos - 1);
        out += (out.empty() ? "" : " ") + info.substr(start + 1, pos - start - 1);
        pos += 4;
    }
    return out;
}

bool writable_dir(const std::string & path) { return ::access(path.c_str(), W_OK | X_OK) == 0; }

int run_doctor(const options & opts, const std::string & config_path) {
    checklist c;
    c.ok("os1", std::string(version()) + " with llama.cpp " + llama_release() + " (" + build_description() + ")");
    c.ok("cpu", cpu_model() + ", " + std::to_string(physical_cores()) + " cores, " + std::to_string(logical_cpus()) +
                    " threads; " + cpu_features());
    const uint64_t avail = available_memory_bytes();
    c.ok("memory", format_bytes(avail) + " available of " + format_bytes(total_memory_bytes()));
    c.ok("huge pages", huge_pages_state());

    const std::string cfg = config_path.empty() ? default_config_path() : config_path;
    if (path_exists(cfg)) {
        c.ok("config", cfg);
    } else {
        c.ok("config", cfg + " is absent: defaults are used (`os1 config --defaults > " + cfg + "` writes one)");
    }

    const std::string & data = opts.paths.data_dir;
    if (!path_exists(data)) {
        c.ok("data", data + " does not exist yet; it is created on first use");
    } else if (!writable_dir(data)) {
        c.missing("data", data + " is not writable", "chmod u+rwx " + data + "  (or choose another with --data DIR)");
    } else {
        c.ok("data", data);
    }
    const uint64_t free_b = free_disk_bytes(data);
    if (free_b < low_disk_bytes) {
        c.warn("disk", format_bytes(free_b) + " free where the data folder is", "free some space or use --data DIR elsewhere");
    } else {
        c.ok("disk", format_bytes(free_b) + " free where the data folder is");
    }

    const std::string memory_db = data + "/memory.db";
    int schema = 0;
    if (auto st = memory::memory_store::check_file(memory_db, schema); st) {
        c.ok("memory", memory_db + " (schema " + std::to_string(schema) + ", integrity ok)");
    } else if (st.code() == status_code::not_found) {
        c.ok("memory", memory_db + " does not exist yet; it is created on first use");
    } else {
        c.missing("memory", st.message(), "restore " + memory_db + " from a backup, or move it aside to start afresh");
    }

    namespace fs = std::filesystem;
    std::error_code ec;
    int n_models = 0;
    if (fs::is_directory(opts.paths.models_dir, ec)) {
        for (const auto & e : fs::directory_iterator(opts.paths.models_dir, ec)) n_models += e.path().extension() == ".gguf";
    }
    c.ok("models", std::to_string(n_models) + " in " + opts.paths.models_dir + " (`os1 models` lists them)");

    const std::string def = std::string(net::default_chat_model().name);
    const std::string model = opts.model.path.empty() ? opts.paths.models_dir + "/" + def + ".gguf" : opts.model.path;
    auto info = llm::probe_gguf(model);
    if (info) {
        c.ok("chat model", model + " (" + info->architecture + ", " + info->file_type + ", " + format_bytes(info->file_bytes) + ")");
    } else if (info.error().code() == status_code::not_found) {
        c.missing("chat model", model + " is not here",
                  opts.model.path.empty() ? "os1 pull " + def : "os1 pull, or correct --model / model.path");
    } else {
        c.missing("chat model", info.error().message(), "os1 pull --force " + def + "  (or choose another file)");
    }
    std::printf("\n%s\n", c.missing_count() == 0 ? "everything OS1 needs is here"
                                                  : (std::to_string(c.missing_count()) + " thing(s) missing; the fixes are above").c_str());
    return c.missing_count() == 0 ? exit_ok : exit_failure;
}

}  // namespace

void add_doctor_command(CLI::App & root, cli_context & ctx) {
    auto * cmd = root.add_subcommand("doctor", "check this machine and installation; say how to fix what is missing");
    ctx.add_setting(cmd, "--model");
    cmd->callback([&ctx] { ctx.run = [&ctx](const options & o) { return run_doctor(o, ctx.config_path); }; });
}

}  // namespace os1::cli
