#!/usr/bin/env python3
"""OS1 against llama-server on B1's per-turn records, with how sure the ratio is.

    python3 bench/b1_compare.py RAW_DIR [RAW_DIR ...] [--people N] [--boot 2000]

Reads turns-SYSTEM-N-thinkT.jsonl from each RAW_DIR (bench/b1.sh --raw), pools the
measured (returning) turns of each system, and prints TTFT p50/p95/p99, the ratio
OS1 / llama-np, and a bootstrap 90% interval of each ratio (turns resampled with
replacement), so that "met", "missed" and "level within noise" come from the data.
Also: how a turn's TTFT grows with the prompts computed beside it.
"""
import argparse
import glob
import json
import os
import random
import statistics


def pct(xs, q):
    s = sorted(xs)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q  # linear interpolation, as numpy's default
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def load(dirs, people):
    by_system = {}
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, f"turns-*-{people}-think*.jsonl"))):
            system = os.path.basename(path)[len("turns-"):].rsplit(f"-{people}-think", 1)[0]
            turns = [json.loads(line) for line in open(path) if line.strip()]
            for t in turns:
                t["first_s"] = t["start_s"] + t["ttft_ms"] / 1000
            for t in turns:
                if t["measured"] and t["ok"]:
                    t["beside"] = sum(1 for o in turns if o is not t and o["start_s"] < t["first_s"]
                                      and o["first_s"] > t["start_s"])
            by_system.setdefault(system, []).extend(t for t in turns if t["measured"] and t["ok"])
    return by_system


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--people", type=int, default=4)
    ap.add_argument("--boot", type=int, default=2000)
    ap.add_argument("--peer", default="llama-np")
    a = ap.parse_args()
    data = load(a.dirs, a.people)
    if "os1" not in data or a.peer not in data:
        raise SystemExit(f"b1_compare: need os1 and {a.peer} turns for {a.people} people in {a.dirs}")
    rng = random.Random(1)
    print(f"B1, {a.people} people, returning turns pooled from: {' '.join(a.dirs)}")
    print("| system | turns | TTFT p50 ms | p95 | p99 | within 2 s | within 5 s |")
    print("|---|---|---|---|---|---|---|")
    for system in ("os1", a.peer):
        x = [t["ttft_ms"] for t in data[system]]
        print(f"| {system} | {len(x)} | {pct(x, .5):,.0f} | {pct(x, .95):,.0f} | {pct(x, .99):,.0f} | "
              f"{sum(v <= 2000 for v in x) / len(x):.0%} | {sum(v <= 5000 for v in x) / len(x):.0%} |")
    o = [t["ttft_ms"] for t in data["os1"]]
    p = [t["ttft_ms"] for t in data[a.peer]]
    print()
    print("| ratio OS1 / peer | value | bootstrap 90% interval |")
    print("|---|---|---|")
    for name, q in (("p50", .5), ("p95", .95), ("p99", .99)):
        boots = sorted(pct(rng.choices(o, k=len(o)), q) / pct(rng.choices(p, k=len(p)), q) for _ in range(a.boot))
        print(f"| {name} | {pct(o, q) / pct(p, q):.2f} | {boots[int(.05 * a.boot)]:.2f} - {boots[int(.95 * a.boot)]:.2f} |")
    print()
    print("| prompts computed beside the turn | system | turns | TTFT p50 ms | max | ms per computed token (p50) |")
    print("|---|---|---|---|---|---|")
    for k in range(0, 4):
        for system in ("os1", a.peer):
            r = [t for t in data[system] if min(t["beside"], 3) == k]
            if r:
                print(f"| {k}{'+' if k == 3 else ''} | {system} | {len(r)} | "
                      f"{statistics.median(t['ttft_ms'] for t in r):,.0f} | {max(t['ttft_ms'] for t in r):,.0f} | "
                      f"{statistics.median(t['ttft_ms'] / max(1, t['computed']) for t in r):.1f} |")


if __name__ == "__main__":
    main()
