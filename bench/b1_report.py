#!/usr/bin/env python3
"""Turns the raw B1 results in bench/results/b1/ (summary-think*.jsonl and
turns-*.jsonl from bench/b1.sh, scale.json from bench/scale.sh) into
bench/results/serving.md with a PNG of time-to-first-token p95 against the
number of people, and bench/results/serving-scale.md.

  bench/b1_report.py RAW_DIR RESULTS_DIR"""
import glob
import json
import os
import platform
import subprocess
import sys

SLO_FRACTION = 0.95


def load(out_dir):
    rows = []
    for path in sorted(glob.glob(os.path.join(out_dir, "summary-think*.jsonl"))):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    rows.append(json.loads(line))
    return rows


def capacity(rows, system, think, slo_ms=None):
    """Most people with >= 95% of first tokens within the SLO (2 s), or, with
    slo_ms, with a TTFT p95 within slo_ms."""
    ok = []
    for r in rows:
        if r["system"] != system or r["think_s"] != think or r["result"]["errors"]:
            continue
        x = r["result"]
        met = x["slo_fraction"] >= SLO_FRACTION if slo_ms is None else (x["ttft_ms"]["p95"] or 1e18) <= slo_ms
        if met:
            ok.append(r["people"])
    return max(ok) if ok else 0


def arrivals(out_dir, system, think):
    """First turns (a person arrives: profile and first message are new)."""
    computed, ttft = [], []
    for path in glob.glob(os.path.join(out_dir, f"turns-{system}-*-think{think:g}.jsonl")):
        with open(path) as f:
            for line in f:
                t = json.loads(line)
                if t["turn"] == 0 and t["ok"]:
                    computed.append(t["computed"])
                    ttft.append(t["ttft_ms"])
    if not computed:
        return None
    computed.sort()
    ttft.sort()
    return sum(computed) / len(computed), ttft[len(ttft) // 2], len(computed)


def fmt(x, digits=0):
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    return f"{x:,.{digits}f}"


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GiB, {platform.system()} {platform.release()}"


def plot(rows, png):
    thinks = sorted({r["think_s"] for r in rows})
    data_files = []
    for think in thinks:
        for system in ("os1", "llama-np", "llama-default"):
            pts = sorted((r["people"], r["result"]["ttft_ms"]["p95"] / 1000.0) for r in rows
                         if r["system"] == system and r["think_s"] == think and r["result"]["ttft_ms"]["p95"] is not None)
            if not pts:
                continue
            path = os.path.join(os.path.dirname(png), f".{system}-{think}.dat")
            with open(path, "w") as f:
                for n, p95 in pts:
                    f.write(f"{n} {p95}\n")
            data_files.append((path, f"{system}, think {think:g} s"))
    if not data_files:
        return False
    plots = ", ".join(f"'{p}' using 1:2 with linespoints lw 2 title '{t}'" for p, t in data_files)
    script = (f"set terminal pngcairo size 900,560; set output '{png}';"
              "set xlabel 'people'; set ylabel 'time to first token, p95 (s)'; set logscale y; set grid;"
              "set key top left; set arrow from graph 0, first 2 to graph 1, first 2 nohead dt 2 lc rgb 'red';"
              f"set label 'SLO 2 s' at graph 0.85, first 2.3 tc rgb 'red'; plot {plots}")
    try:
        subprocess.run(["gnuplot", "-e", script], check=True)
    finally:
        for p, _ in data_files:
            os.remove(p)
    return True


def write_scale(path, md):
    with open(path) as f:
        s = json.load(f)
    reg, idle, rss = s["register"], s["idle"], s["server_rss_mib"]
    budget = s["model_file_mib"] + 1536
    lines = ["# B1 scale: many conversations held, many idle connections", "",
             f"Machine: {machine()}. Command: `bench/scale.sh` (raw figures: b1/scale.json).", "",
             f"Server: `{s['command']}`", "",
             "## 8,316 conversations", "",
             (f"- Held after a restart: the server was started on the data folder of an earlier run that "
              f"had registered them; {s['conversations_on_disk_at_start']:,} conversations were on disk at start "
              f"(`bench/scale.sh --after-restart`)." if s.get("after_restart") else
              f"- Registered: {reg['ok']:,} conversations ok, {reg['failed']} failed, in {reg['seconds']:,.0f} s "
              f"(one short turn each, 8 at a time; TTFT p50 {reg['register_ttft_ms']['p50']:,.0f} ms, "
              f"p95 {reg['register_ttft_ms']['p95']:,.0f} ms)."),
             f"- Where their KV states were afterwards: {s['conversations_by_tier_after_register']['resident']} resident, "
             f"{s['conversations_by_tier_after_register']['ram']:,} in RAM, "
             f"{s['conversations_by_tier_after_register']['disk']:,} on disk ({s['kv_disk_mib']:,} MiB on disk).",
             f"- Server resident memory: {rss['start']:,} MiB at start, {rss['after_register']:,} MiB after "
             f"registering (peak {rss['peak_after_register']:,} MiB). Model file {s['model_file_mib']:,} MiB; "
             f"target model + 1.5 GiB = {budget:,} MiB: "
             f"{'met' if rss['after_register'] <= budget else 'not met'} "
             f"({s['rss_over_model_mib_after_register']:,} MiB over the model).",
             "",
             "## A conversation idle on disk returns", "",
             f"Ten conversations of ~3,000 tokens (persona, an 800-token profile, a first exchange) were "
             f"started before the registrations, so their states were pushed out to disk by the others; "
             f"then each came back with a new message"
             + (" after the restart (every state on disk)." if s.get("after_restart") else "."),
             f"- TTFT of the returning turn: p50 {reg['revisit_ttft_ms']['p50']:,.0f} ms, p95 "
             f"{reg['revisit_ttft_ms']['p95']:,.0f} ms, max {reg['revisit_ttft_ms']['max']:,.0f} ms "
             f"(target: within 2 s: {'met' if reg['revisit_ttft_ms']['max'] <= 2000 else 'not met'}).",
             f"- Share of the returning prompt restored rather than computed: "
             f"{reg['revisit_cached_fraction_p50']:.0%} (median).", "",
             "## Idle connections", "",
             f"- {json.dumps(idle)}",
             f"- Server memory per idle connection: {s['rss_per_idle_connection_kib']} KiB.", ""]
    with open(md, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(md)


def main():
    out_dir, results_dir = sys.argv[1], sys.argv[2]
    scale = os.path.join(out_dir, "scale.json")
    if os.path.exists(scale):
        write_scale(scale, os.path.join(results_dir, "serving-scale.md"))
    rows = load(out_dir)
    if not rows:
        return
    md = os.path.join(results_dir, "serving.md")
    png = os.path.join(results_dir, "serving-ttft.png")
    have_png = plot(rows, png) if rows else False
    lines = ["# B1: many conversations at once (OS1 against llama-server)", "",
             f"Machine: {machine()}. Model: `os1 make-test-model --shape bench --seed 1` (Qwen2.5-0.5B shape, Q8_0).",
             "Commands: `bench/b1.sh --think-s 5 --people \"1 2 3 4\" --min-measured 20` and "
             "`bench/b1.sh --think-s 20 --people \"2 4 6 8\" --min-measured 16 --systems \"os1 llama-np\"`; the "
             "server commands are listed under each table (`-np` is set to the number of people). Both servers: the same model file, the same threads, the same KV budget (resident "
             "cells for 8 conversations of 8,192 tokens plus 8,192, and 1 GiB of RAM for states out of the "
             "context), the same client (`bench/loadgen`).", "",
             "Workload per request (BENCHMARKS.md B1): a shared persona of ~1,500 tokens, this person's profile of "
             "~800 tokens with a canary, the history so far, ~150 tokens of freshly recalled memories and a "
             "20-80-token message; a fixed 32-64-token reply (`ignore_eos`); exponential think time. Each person's "
             "first turn (their arrival, when the profile is computed) is not measured; every later turn is.", "",
             "Columns: TTFT = time to first token (ms); ITL = gap between streamed tokens (ms); SLO = share of "
             "turns with TTFT <= 2 s; amplification = prompt tokens computed / the turn's new tokens (tokens after "
             "the longest prefix this conversation already had computed; ideal 1.0); RSS = the server's peak "
             "resident memory.", ""]
    # Where things stand, written by hand across runs and sessions, goes first.
    summary = os.path.join(results_dir, "serving-summary.md")
    if os.path.exists(summary):
        with open(summary) as f:
            lines += [f.read().rstrip("\n"), "", "## Tables of this run", ""]
    for think in sorted({r["think_s"] for r in rows}):
        lines += [f"## Think time {think:g} s", "",
                  "| system | people | turns | TTFT p50 | p95 | p99 | ITL p50 | p99 | SLO | out tok/s | amplification | computed/turn | RSS MiB | errors | canary leaks |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in sorted((r for r in rows if r["think_s"] == think), key=lambda r: (r["system"], r["people"])):
            x = r["result"]
            lines.append(f"| {r['system']} | {r['people']} | {x['turns_measured']} | {fmt(x['ttft_ms']['p50'])} | "
                         f"{fmt(x['ttft_ms']['p95'])} | {fmt(x['ttft_ms']['p99'])} | {fmt(x['itl_ms']['p50'])} | "
                         f"{fmt(x['itl_ms']['p99'])} | {x['slo_fraction']:.0%} | {fmt(x['output_tokens_per_s'], 1)} | "
                         f"{fmt(x['prefill_amplification'], 2)} | {fmt(x['computed_per_turn'])} | "
                         f"{r['server_peak_rss_mib']} | {x['errors']} | {x['canary_leaks']} |")
        os1 = capacity(rows, "os1", think)
        best = max(capacity(rows, "llama-np", think), capacity(rows, "llama-default", think))
        ratio = f"{os1 / best:.1f}" if best else ("n/a (llama-server met the SLO at no load tried)" if os1 else "n/a")
        systems_here = sorted({r["system"] for r in rows if r["think_s"] == think})
        lines += ["", "Arrivals (each person's first turn, not in the table above): mean prompt tokens computed, "
                      "median TTFT:", ""]
        for system in systems_here:
            a = arrivals(out_dir, system, think)
            if a:
                lines.append(f"- {system}: {a[0]:,.0f} tokens computed, TTFT p50 {a[1]:,.0f} ms ({a[2]} arrivals)")
        lines += ["", "Most people each system held with a TTFT p95 within a given time (among the loads tried):", "",
                  "| p95 within | " + " | ".join(systems_here) + " |", "|---|" + "---|" * len(systems_here)]
        for slo in (2000, 3000, 5000, 8000):
            lines.append(f"| {slo / 1000:g} s | " + " | ".join(str(capacity(rows, sy, think, slo)) for sy in systems_here) + " |")
        lines += ["", f"Capacity (most people with >= 95% of first tokens within 2 s, among the loads tried): "
                      f"OS1 {os1}, llama-server best {best} (`-np N` with the same KV budget: "
                      f"{capacity(rows, 'llama-np', think)}; defaults: {capacity(rows, 'llama-default', think)}). "
                      f"Ratio: {ratio}.", ""]
        cmds = {}
        for r in rows:
            if r["think_s"] == think:
                cmds.setdefault(r["system"], r["command"].replace("-np 1 ", "-np N ").replace(
                    os.path.expanduser("~/.cache/os1/llama/"), "~/.cache/os1/llama/"))
        lines += ["Server commands (N = people):", ""]
        for system, cmd in sorted(cmds.items()):
            lines.append(f"- {system}: `{cmd}`")
        lines.append("")
    if have_png:
        lines += ["![TTFT p95 against people](serving-ttft.png)", ""]
    lines += ["## More", "", "- [Scale: 8,316 conversations, 10,000 idle connections](serving-scale.md)",
              "- [What the figures say, and what would reach the targets](serving-analysis.md)",
              "- [Issue 15: the engine at full speed (B1 at 8 people after each change, B5)](serving-issue15.md); B5 table: [serving-b5.md](serving-b5.md)", ""]
    with open(md, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(md)


if __name__ == "__main__":
    main()
