// os1 persona show|history|rollback VERSION|rename NAME --user NAME: who the
// OS is with a person (the name it chose, its character, notes on the
// relationship), every version of it with what changed and why, and going
// back. For a running server's people, use the HTTP routes (docs/api.md).
#include <cstdio>

#include "cli/commands.h"
#include "cli/local_data.h"
#include "companion/persona.h"
#include "memory/export.h"

namespace os1::cli {
namespace {

struct persona_args {
    int limit = 20;
    int64_t version = 0;
    std::string name;
};

std::string joined(const std::vector<std::string> & items) {
    std::string out;
    for (const auto & i : items) out += (out.empty() ? "" : ", ") + i;
    return out.empty() ? "(none)" : out;
}

void print_persona(const memory::persona_record & p) {
    std::printf("version %lld, %s (%s): %s\n", static_cast<long long>(p.version), memory::utc_text(p.created_at).c_str(),
                p.source.c_str(), p.reason.c_str());
    std::printf("  name:      %s\n  about:     %s\n  traits:    %s\n  interests: %s\n  notes:     %s\n", p.name.c_str(),
                p.about.empty() ? "(none)" : p.about.c_str(), joined(p.traits).c_str(), joined(p.interests).c_str(),
                p.notes.empty() ? "(none)" : p.notes.c_str());
}

// The person's saved conversation states hold the old persona in their prompts.
void after_change(const options & o, const opened_person & p, const memory::persona_record & now) {
    print_persona(now);
    const size_t n = remove_kv_files(o, p.name, {});
    if (n > 0) std::fprintf(stderr, "%zu saved conversation state(s) with the old persona removed\n", n);
}

int run_show(const options & o, const persona_args &) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto cur = p.store->personas().persona(p.who);
    if (!cur) return report(cur.error());
    auto state = p.store->personas().onboarding(p.who);
    if (!state) return report(state.error());
    if (cur->version == 0) {
        std::printf("no persona yet (the interview: %s)\n", state->stage == memory::onboarding_stage::not_begun ? "not begun" : memory::stage_name(state->stage));
        return exit_ok;
    }
    print_persona(*cur);
    return exit_ok;
}

int run_history(const options & o, const persona_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto versions = p.store->personas().persona_history(p.who, a.limit);
    if (!versions) return report(versions.error());
    if (versions->empty()) std::printf("no persona yet\n");
    for (const auto & v : *versions) {
        std::printf("version %lld  %s  %-10s %s\n", static_cast<long long>(v.version), memory::utc_text(v.created_at).c_str(),
                    v.source.c_str(), v.reason.c_str());
        size_t from = 0;
        while (from < v.diff.size()) {
            const size_t nl = v.diff.find('\n', from);
            const size_t to = nl == std::string::npos ? v.diff.size() : nl;
            std::printf("    %s\n", v.diff.substr(from, to - from).c_str());
            from = to + 1;
        }
    }
    return exit_ok;
}

int run_rollback(const options & o, const persona_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto now = companion::rollback_persona(*p.store, p.who, a.version);
    if (!now) return report(now.error());
    after_change(o, p, *now);
    return exit_ok;
}

int run_rename(const options & o, const persona_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto now = companion::rename_persona(*p.store, p.who, a.name);
    if (!now) return report(now.error());
    after_change(o, p, *now);
    return exit_ok;
}

}  // namespace

void add_persona_command(CLI::App & root, cli_context & ctx) {
    auto args = std::make_shared<persona_args>();
    auto * cmd = root.add_subcommand("persona", "who the OS is with a person: its name, character and their history");
    cmd->require_subcommand(1);
    ctx.add_setting(cmd, "--user");
    const auto bind = [&ctx, args](CLI::App * sub, int (*fn)(const options &, const persona_args &)) {
        sub->callback([&ctx, args, fn] { ctx.run = [args, fn](const options & o) { return fn(o, *args); }; });
        sub->fallthrough();
    };
    bind(cmd->add_subcommand("show", "the current persona"), run_show);
    auto * history = cmd->add_subcommand("history", "every version, newest first, with what changed and why");
    history->add_option("--limit", args->limit, "how many")->check(CLI::Range(1, 1000));
    bind(history, run_history);
    auto * rollback = cmd->add_subcommand("rollback", "make an earlier version the current one again (as a new version)");
    rollback->add_option("version", args->version, "the version (from history)")->required();
    bind(rollback, run_rollback);
    auto * rename = cmd->add_subcommand("rename", "give the OS another name");
    rename->add_option("name", args->name, "the new name")->required();
    bind(rename, run_rename);
}

}  // namespace os1::cli
