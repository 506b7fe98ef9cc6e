// os1 mood --user NAME [--days 30]: how a person has seemed to feel, one
// character per day (the mean valence of their messages' readings), the
// feelings read most often and the latest reading.
#include <cstdio>
#include <ctime>
#include <map>

#include "cli/commands.h"
#include "cli/local_data.h"
#include "companion/mood.h"
#include "memory/export.h"

namespace os1::cli {
namespace {

int run_mood(const options & o, int days) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    const int64_t now = std::time(nullptr);
    auto readings = p.store->feelings().emotions_between(p.who, now - int64_t{days} * 86400 - 86400, now + 1, 1000000);
    if (!readings) return report(readings.error());
    const auto series = companion::mood_series(*readings, now, days);
    int messages = 0;
    std::map<std::string, int> labels;
    for (const auto & d : series) messages += d.messages;
    for (const auto & r : *readings) {
        if (r.ts > now - int64_t{days} * 86400) labels[r.label]++;
    }
    std::printf("%s, the last %d days (%s to %s): %d message(s) read\n", p.name.c_str(), days, series.front().date.c_str(),
                series.back().date.c_str(), messages);
    std::printf("%s\n", companion::sparkline(series).c_str());
    std::printf("(one character a day: the mean valence, ▁ unpleasant to █ pleasant; · nothing said)\n");
    if (messages == 0) return exit_ok;
    std::multimap<int, std::string, std::greater<>> often;
    for (const auto & [label, n] : labels) often.emplace(n, label);
    std::string most;
    int shown = 0;
    for (const auto & [n, label] : often) {
        if (shown++ == 4) break;
        most += (most.empty() ? "" : ", ") + label + " " + std::to_string(n);
    }
    std::printf("most often: %s\n", most.c_str());
    const auto & last = readings->back();
    std::printf("latest: %s, %s (valence %.1f, arousal %.1f, read by the %s)\n", memory::utc_text(last.ts).c_str(),
                last.label.c_str(), last.valence, last.arousal, last.source == "model" ? "model" : "word list");
    return exit_ok;
}

}  // namespace

void add_mood_command(CLI::App & root, cli_context & ctx) {
    auto days = std::make_shared<int>(30);
    auto * cmd = root.add_subcommand("mood", "how a person has seemed to feel, day by day (a sparkline)");
    ctx.add_setting(cmd, "--user");
    cmd->add_option("--days", *days, "how many days back")->check(CLI::Range(1, 366));
    cmd->callback([&ctx, days] { ctx.run = [days](const options & o) { return run_mood(o, *days); }; });
}

}  // namespace os1::cli
