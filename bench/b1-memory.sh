#!/usr/bin/env bash
# B1 with OS1's own memory (issue 15, point 2): the B1 workload twice on OS1,
# once with the recall done by the client (B1 as it is: a fresh ~150-token block
# on every message, gone from the message once it is history) and once with OS1
# recalling for itself (memory on; each person has --earlier-tokens of earlier
# conversations in memory, ingested before the run; the client sends only its
# messages). Reported: prompt tokens computed per returning turn, TTFT, and what
# OS1's blocks held. Raw results go to bench/results/b1-memory/.
# With OS1's memory on, it also times a memory search (GET /api/v1/memories/search,
# recall on the memory thread) every second while the load runs, and 20 times
# before it with the engine idle: recall's latency while the engine is busy.
#
#   bench/b1-memory.sh [--people 8] [--think-s 20] [--turns 5] [--earlier-tokens 6000] [--modes "client server"]
set -euo pipefail
# Huge pages for large allocations, for every system alike (OS1 asks for them
# itself; decision 0010). OS1_HUGE_PAGES=0 in the environment measures without.
[[ "${OS1_HUGE_PAGES:-1}" == 0 ]] || export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

people=8
think=20
turns=5
earlier=6000
modes="client server"
while [ $# -gt 0 ]; do
  case "$1" in
    --people) people=$2; shift ;;
    --think-s) think=$2; shift ;;
    --turns) turns=$2; shift ;;
    --earlier-tokens) earlier=$2; shift ;;
    --modes) modes=$2; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "b1-memory: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup >/dev/null
out=bench/out/b1-memory
raw=bench/results/b1-memory
mkdir -p "$out" "$raw"
model=bench/out/bench.gguf
[ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
persona=$out/persona.txt
build/bin/os1-loadgen persona --model "$model" --out "$persona"
threads=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
port=18600
common=(--model "$model" --port "$port" --threads "$threads" --parallel 8 --ctx 8192 --kv-ram-mib 1024 --kv-disk-gib 20
        --shared-prompt "$persona" --data "$out/data" --rate-per-minute 0)
# Background learning (facts, persona, initiative) also runs the model; it is
# off in both runs so that both measure the turns alone.
memory_on=(--no-onboarding --distill-every 0 --evolve-every 0 --no-initiative --feelings lexicon)

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
start_server() {
  "$@" >>"$out/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "b1-memory: the server did not become ready (see $out/server.log)" >&2; return 1
}

# One timed search as person-0 (the first token): seconds, or "error".
search_once() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $(head -1 "$out/tokens.txt")" \
    "http://127.0.0.1:$port/api/v1/memories/search?q=morning+music+sister+walk&limit=10" |
    awk '$1 == 200 { print $2; next } { print "error" }'
}
search_stats() {  # FILE: "n N p50 MS p95 MS errors E"
  python3 - "$1" <<'EOF'
import sys
v = [l.strip() for l in open(sys.argv[1]) if l.strip()]
ok = sorted(float(x) * 1000 for x in v if x != "error")
pick = lambda p: ok[min(len(ok) - 1, int(p / 100 * len(ok)))] if ok else float("nan")
print(f"n {len(ok)} p50 {pick(50):.1f} p95 {pick(95):.1f} errors {len(v) - len(ok)}")
EOF
}

summary=$raw/summary.jsonl
: >"$summary.new"
for mode in $modes; do
  rm -rf "$out/data" "$out/server.log"
  mkdir -p "$out/data"
  args=(--people "$people" --turns "$turns" --think-s "$think" --port "$port" --model "$model" --persona "$persona"
        --out "$raw/turns-$mode-$people.jsonl")
  if [ "$mode" = server ]; then
    : >"$out/tokens.txt"
    for p in $(seq 0 $(( people - 1 ))); do
      build/bin/os1 --data "$out/data" users add "person-$p" 2>/dev/null >>"$out/tokens.txt"
    done
    build/bin/os1-loadgen chat --people "$people" --model "$model" --earlier-tokens "$earlier" --memories-out "$out/memories.jsonl"
    failed=$(build/bin/os1 memory-adapter --db "$out/data/memory.db" <"$out/memories.jsonl" | grep -vc '"ok":true' || true)
    [ "$failed" = 0 ] || { echo "b1-memory: $failed memory lines were refused" >&2; exit 1; }
    cmd=(build/bin/os1 serve "${common[@]}" "${memory_on[@]}")
    args+=(--server-memory --tokens "$out/tokens.txt")
  else
    cmd=(build/bin/os1 serve "${common[@]}" --no-auth --no-memory)
  fi
  start_server "${cmd[@]}"
  echo "b1-memory: $mode recalls, $people people: ${cmd[*]}" >&2
  probe_pid=""
  if [ "$mode" = server ]; then
    for _ in $(seq 1 20); do search_once; done >"$raw/search-idle-$people.txt"
    ( while :; do search_once; sleep 1; done ) >"$raw/search-busy-$people.txt" &
    probe_pid=$!
  fi
  result=$(build/bin/os1-loadgen chat "${args[@]}")
  if [ -n "$probe_pid" ]; then
    kill "$probe_pid" 2>/dev/null; wait "$probe_pid" 2>/dev/null || true
    echo "b1-memory: memory search, engine idle: $(search_stats "$raw/search-idle-$people.txt")" >&2
    echo "b1-memory: memory search, under the load: $(search_stats "$raw/search-busy-$people.txt")" >&2
  fi
  stop_server
  MODE=$mode CMD="${cmd[*]}" EARLIER=$earlier RESULT=$result python3 -c 'import json, os; e = os.environ
print(json.dumps({"recall_by": e["MODE"], "earlier_tokens": int(e["EARLIER"]), "command": e["CMD"], "result": json.loads(e["RESULT"])}))' \
    | tee -a "$summary.new" >&2
  if [ "$mode" = server ]; then
    # What the blocks held: the recalled text stored with each measured message.
    build/bin/os1 --data "$out/data" memory --user person-0 list --limit 12 >"$raw/person-0-memories.txt" 2>&1 || true
  fi
done
mv "$summary.new" "$summary"
python3 - "$summary" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| recall by | turns | computed/turn | TTFT p50 | p95 | errors | leaks |")
print("|---|---|---|---|---|---|---|")
for r in runs:
    x = r["result"]
    print(f"| {r['recall_by']} | {x['turns_measured']} | {x['computed_per_turn']:.0f} | {x['ttft_ms']['p50']:,.0f} | "
          f"{x['ttft_ms']['p95']:,.0f} | {x['errors']} | {x['canary_leaks']} |")
by = {r["recall_by"]: r["result"]["computed_per_turn"] for r in runs}
if "client" in by and "server" in by:
    print(f"\nOS1's own memory computes {by['server'] / by['client']:.2f} of the tokens per returning turn that client recall does (target: at most 0.5).")
EOF
