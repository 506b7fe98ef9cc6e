#!/usr/bin/env python3
"""B5's table from bench/results/b5/summary.jsonl (written by bench/b5.sh).

usage: b5_report.py SUMMARY.jsonl OUT.md
"""
import json
import sys


def fmt(v, digits=0):
    if v is None or v != v:
        return "n/a"
    return f"{v:,.{digits}f}"


def main():
    summary, out = sys.argv[1], sys.argv[2]
    runs = [json.loads(line) for line in open(summary) if line.strip()]
    lines = [
        "# B5: people outnumber slots and the RAM budget",
        "",
        "Command: `bench/b5.sh` (see its header). Each person arrives with ~3,000 tokens of earlier",
        "conversation (their first, unmeasured turn computes it), then takes measured turns with",
        "exponential think time; when everyone has had half of them, the server is restarted.",
        "8 slots; saved states get the same RAM budget on both sides (OS1 `--kv-ram-mib` =",
        "llama-server `--cache-ram`); OS1 also has its disk tier as shipped. `llama-ram-default`",
        "is llama-server with its default `--cache-ram`, for reference.",
        "",
        "TTFT of returning turns in ms; within 2 s / 5 s = share of returning turns whose first",
        "token came within that time; computed/turn = prompt tokens the server computed per turn.",
        "",
        "| system | people | RAM MiB | turns | TTFT p50 | p95 | p99 | before restart p95 | after restart p95 "
        "| within 2 s | within 5 s | computed/turn | peak RSS MiB | errors | leaks |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        res = r["result"]
        t = res["ttft_ms"]
        lines.append(
            f"| {r['system']} | {r['people']} | {r['ram_mib']} | {res['turns_measured']} | {fmt(t['p50'])} | "
            f"{fmt(t['p95'])} | {fmt(t['p99'])} | {fmt(res.get('ttft_before_restart_ms', {}).get('p95'))} | "
            f"{fmt(res.get('ttft_after_restart_ms', {}).get('p95'))} | {fmt(100 * res['slo_fraction'])}% | "
            f"{fmt(100 * res.get('within_5s_fraction', float('nan')))}% | {fmt(res['computed_per_turn'])} | "
            f"{r['server_peak_rss_mib']} | {res['errors']} | {res['canary_leaks']} |")
    lines += ["", "Capacity (most people with at least 95% of returning turns' first token within the time, among the loads tried):", ""]
    lines.append("| system | within 2 s | within 5 s |")
    lines.append("|---|---|---|")
    for system in dict.fromkeys(r["system"] for r in runs):
        mine = [r for r in runs if r["system"] == system]
        two = max([r["people"] for r in mine if r["result"]["slo_fraction"] >= 0.95], default=0)
        five = max([r["people"] for r in mine if r["result"].get("within_5s_fraction", 0) >= 0.95], default=0)
        lines.append(f"| {system} | {two} | {five} |")
    lines += ["", "OS1's KV tiers after each run (from /metrics, counted since the restart):", ""]
    for r in runs:
        if r.get("kv_metrics_after_restart"):
            lines.append(f"- {r['system']}, {r['people']} people: `{r['kv_metrics_after_restart']}`")
    lines += ["", "Server commands:", ""]
    for r in runs:
        lines.append(f"- {r['system']}, {r['people']} people: `{r['command']}`")
    open(out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
