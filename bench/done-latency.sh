#!/usr/bin/env bash
# How long a reply's [DONE] waits after its last token (issue 16): OS1 with
# memory and background learning as shipped (facts every --distill-every turns,
# summaries, persona growth, feelings, initiative), people talking at once,
# interleaved rounds of each given os1 binary (say the one before a change and
# the one after). Also reported: TTFT of returning turns. Raw results go to
# bench/results/done-latency/.
#
#   bench/done-latency.sh [--people 4] [--turns 12] [--think-s 2] [--rounds 2]
#                         [--raw DIR] LABEL=OS1_BINARY [LABEL=OS1_BINARY ...]
# With no binaries: shipped=build/bin/os1.
set -euo pipefail
[[ "${OS1_HUGE_PAGES:-1}" == 0 ]] || export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

people=4
turns=12
think=2
rounds=2
raw=bench/results/done-latency
systems=()
while [ $# -gt 0 ]; do
  case "$1" in
    --people) people=$2; shift ;;
    --turns) turns=$2; shift ;;
    --think-s) think=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --raw) raw=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *=*) systems+=("$1") ;;
    *) echo "done-latency: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ ${#systems[@]} -gt 0 ] || systems=(shipped=build/bin/os1)

scripts/setup >/dev/null
out=bench/out/done-latency
mkdir -p "$out" "$raw"
model=bench/out/bench.gguf
[ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
persona=$out/persona.txt
build/bin/os1-loadgen persona --model "$model" --out "$persona"
threads=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
port=18700

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT

summary=$raw/summary.jsonl
: >"$summary"
for round in $(seq 1 "$rounds"); do
  for sys in "${systems[@]}"; do
    label=${sys%%=*}
    bin=${sys#*=}
    rm -rf "$out/data" "$out/server.log"
    mkdir -p "$out/data"
    : >"$out/tokens.txt"
    for p in $(seq 0 $(( people - 1 ))); do
      "$bin" --data "$out/data" users add "person-$p" 2>/dev/null >>"$out/tokens.txt"
    done
    cmd=("$bin" serve --model "$model" --port "$port" --threads "$threads" --parallel "$people" --ctx 4096
         --data "$out/data" --rate-per-minute 0 --no-onboarding)
    "${cmd[@]}" >>"$out/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
      curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
      kill -0 "$server_pid" 2>/dev/null || { echo "done-latency: $label did not start (see $out/server.log)" >&2; exit 1; }
      sleep 0.5
    done
    echo "done-latency: round $round, $label: ${cmd[*]}" >&2
    result=$(build/bin/os1-loadgen chat --people "$people" --turns "$turns" --think-s "$think" --port "$port" --model "$model" \
             --persona "$persona" --server-memory --tokens "$out/tokens.txt" --out "$raw/turns-r$round-$label.jsonl")
    stop_server
    LABEL=$label ROUND=$round CMD="${cmd[*]}" RESULT=$result python3 -c 'import json, os; e = os.environ
print(json.dumps({"system": e["LABEL"], "round": int(e["ROUND"]), "command": e["CMD"], "result": json.loads(e["RESULT"])}))' \
      | tee -a "$summary" >&2
  done
done
python3 - "$summary" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| system | round | turns ok | last token -> [DONE] p50 / p95 / p99 ms | TTFT p50 / p95 ms | errors |")
print("|---|---|---|---|---|---|")
for r in runs:
    x = r["result"]
    d, t = x["done_after_last_ms"], x["ttft_ms"]
    print(f"| {r['system']} | {r['round']} | {x['ok']} | {d['p50']:,.1f} / {d['p95']:,.1f} / {d['p99']:,.1f} | "
          f"{t['p50']:,.0f} / {t['p95']:,.0f} | {x['errors']} |")
EOF
