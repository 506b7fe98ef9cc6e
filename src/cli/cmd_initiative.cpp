// os1 initiative log|limits --user NAME: what the OS thought of saying first
// to a person (reminders, follow-ups, check-ins), each with its state and the
// scheduler's reason; and the person's own limits: opting out, quiet hours,
// the daily cap. For a running server's people, use the HTTP routes (docs/api.md).
#include <cstdio>
#include <optional>

#include "cli/commands.h"
#include "cli/local_data.h"
#include "companion/initiative.h"
#include "memory/export.h"

namespace os1::cli {
namespace {

struct initiative_args {
    int limit = 20;
    std::optional<bool> opted_out;
    std::string quiet;  // "HH:MM-HH:MM"
    std::optional<int> utc_offset;
    std::optional<int> daily_cap;
    std::optional<double> min_importance;
};

int run_log(const options & o, const initiative_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto rows = p.store->initiatives().initiatives(p.who, a.limit);
    if (!rows) return report(rows.error());
    if (rows->empty()) std::printf("(nothing yet: the OS has not thought of speaking first to %s)\n", p.name.c_str());
    for (const auto & r : *rows) {
        std::printf("#%lld %s, %s, due %s: %s\n", static_cast<long long>(r.id), memory::kind_name(r.kind), memory::state_name(r.state),
                    memory::utc_text(r.due_at).c_str(), r.text.c_str());
        std::printf("    why: %s\n", r.reason.c_str());
        if (!r.decision.empty()) std::printf("    decided %s: %s\n", memory::utc_text(r.decided_at).c_str(), r.decision.c_str());
        if (r.delivered_at) std::printf("    received %s\n", memory::utc_text(r.delivered_at).c_str());
    }
    return exit_ok;
}

int run_limits(const options & o, const initiative_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto s = p.store->initiatives().initiative_limits(p.who);
    if (!s) return report(s.error());
    const bool change = a.opted_out || !a.quiet.empty() || a.utc_offset || a.daily_cap || a.min_importance;
    if (!a.quiet.empty()) {
        const size_t dash = a.quiet.find('-');
        const auto from = companion::parse_clock(a.quiet.substr(0, dash));
        const auto to = dash == std::string::npos ? std::nullopt : companion::parse_clock(a.quiet.substr(dash + 1));
        if (!from || !to) return report(status(status_code::invalid_argument, "--quiet: say HH:MM-HH:MM, such as 22:00-08:00"));
        s->quiet_from = *from;
        s->quiet_to = *to;
    }
    if (a.opted_out) s->opted_out = *a.opted_out;
    if (a.utc_offset) s->utc_offset = *a.utc_offset;
    if (a.daily_cap) s->daily_cap = *a.daily_cap;
    if (a.min_importance) s->min_importance = *a.min_importance;
    if (change) {
        if (auto st = p.store->initiatives().set_initiative_limits(p.who, *s); !st) return report(st);
    }
    std::printf("%s: the OS %s first\n", p.name.c_str(), s->opted_out ? "never speaks (reminders asked for still come)" : "may speak");
    std::printf("quiet hours: %s to %s (UTC%+d min)\n", companion::clock_text(s->quiet_from).c_str(),
                companion::clock_text(s->quiet_to).c_str(), s->utc_offset);
    std::printf("at most %d a day; least importance %.2f\n", s->daily_cap, s->min_importance);
    return exit_ok;
}

}  // namespace

void add_initiative_command(CLI::App & root, cli_context & ctx) {
    auto args = std::make_shared<initiative_args>();
    auto * cmd = root.add_subcommand("initiative", "when the OS speaks first to a person: the log and their limits");
    cmd->require_subcommand(1);
    ctx.add_setting(cmd, "--user");
    const auto bind = [&ctx, args](CLI::App * sub, int (*fn)(const options &, const initiative_args &)) {
        sub->callback([&ctx, args, fn] { ctx.run = [args, fn](const options & o) { return fn(o, *args); }; });
        sub->fallthrough();
    };
    auto * log = cmd->add_subcommand("log", "what it thought of saying, newest first, each with its state and why");
    log->add_option("--limit", args->limit, "how many")->check(CLI::Range(1, 1000));
    bind(log, run_log);
    auto * limits = cmd->add_subcommand("limits", "show the person's limits, or change them");
    limits->add_flag_function("--opt-out", [args](int64_t) { args->opted_out = true; }, "the OS never speaks first");
    limits->add_flag_function("--opt-in", [args](int64_t) { args->opted_out = false; }, "the OS may speak first again");
    limits->add_option("--quiet", args->quiet, "quiet hours in their time, HH:MM-HH:MM");
    limits->add_option("--utc-offset", args->utc_offset, "their time zone, minutes east of UTC")->check(CLI::Range(-840, 840));
    limits->add_option("--daily-cap", args->daily_cap, "most messages a day it starts")->check(CLI::Range(0, 50));
    limits->add_option("--min-importance", args->min_importance, "from 0 to 1")->check(CLI::Range(0.0, 1.0));
    bind(limits, run_limits);
}

}  // namespace os1::cli
