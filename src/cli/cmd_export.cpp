// os1 export --user NAME --out FILE: everything OS1 holds of a person in one
// tar archive: memories.json (complete) and memories.md (readable).
#include <cstdio>
#include <ctime>

#include "base/files.h"
#include "cli/commands.h"
#include "cli/local_data.h"
#include "memory/export.h"

namespace os1::cli {
namespace {

int run_export(const options & o, const std::string & out) {
    auto store = open_memory(o);
    if (!store) return report(store.error());
    const std::string name = local_user(o);
    const int64_t now = std::time(nullptr);
    auto dump = memory::export_person(**store, name, now);
    if (!dump) return report(dump.error());
    auto tar = memory::export_archive(*dump, now);
    if (!tar) return report(tar.error());
    if (auto st = write_file_atomic(out, *tar); !st) return report(st);
    std::printf("%s: %zu memories in %zu conversations of %s (memories.json, memories.md)\n", out.c_str(), dump->turns,
                dump->sessions, name.c_str());
    return exit_ok;
}

}  // namespace

void add_export_command(CLI::App & root, cli_context & ctx) {
    auto out = std::make_shared<std::string>();
    auto * cmd = root.add_subcommand("export", "everything of a person in one archive (JSON and Markdown, `tar xf`)");
    ctx.add_setting(cmd, "--user");
    cmd->add_option("--out", *out, "the archive to write (.tar)")->required();
    cmd->callback([&ctx, out] { ctx.run = [out](const options & o) { return run_export(o, *out); }; });
}

}  // namespace os1::cli
