#!/usr/bin/env bash
# B1 (BENCHMARKS.md): many people in conversation at once, OS1 against
# llama-server from the same pinned llama.cpp, same model file, same threads,
# same KV memory budget, same client (bench/loadgen). Writes the raw results
# (per-run summaries and per-turn lines) to bench/results/b1/, the servers' logs and
# data to bench/out/b1/, and the report to bench/results/serving.md (+ serving-ttft.png).
#
#   bench/b1.sh [--people "1 2 4 6 8"] [--think-s 5] [--min-measured 30] [--systems "os1 llama-np llama-default"]
#               [--quick] [--os1-args "--prefill-chunk 512"] [--together] [--raw DIR]
# With --raw the raw results go to DIR and no report is written (for a variant
# measured beside the published run). With --together the measured turns begin
# when everyone has arrived: in the plain closed loop a server slow to take
# newcomers spreads the returning turns out and so faces a thinner load of them.
set -euo pipefail
# Huge pages for large allocations, for every system alike (OS1 asks for them
# itself; decision 0010). OS1_HUGE_PAGES=0 in the environment measures without.
[[ "${OS1_HUGE_PAGES:-1}" == 0 ]] || export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

people_list="1 2 3 4 6 8"
think=5
min_measured=30
systems="os1 llama-np llama-default"
threads=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
ctx=8192        # per conversation
parallel=8      # resident conversations (OS1) / slots (llama-server, when not -np N)
kv_ram_mib=1024
os1_args=""
raw=bench/results/b1
report=1
together=()
while [ $# -gt 0 ]; do
  case "$1" in
    --people) people_list=$2; shift ;;
    --think-s) think=$2; shift ;;
    --min-measured) min_measured=$2; shift ;;
    --systems) systems=$2; shift ;;
    --quick) people_list="2 4"; min_measured=8 ;;
    --os1-args) os1_args=$2; shift ;;
    --raw) raw=$2; report=0; shift ;;
    --together) together=(--together) ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "b1: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup >/dev/null
prefix=$(scripts/build-llama --print-prefix)
out=bench/out/b1
mkdir -p "$out" "$raw"
model=bench/out/bench.gguf
[ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
persona=$out/persona.txt
build/bin/os1-loadgen persona --model "$model" --out "$persona"
# The same KV budget for both: resident cells for $parallel conversations of $ctx tokens
# plus 8192 for prefixes, and $kv_ram_mib MiB of RAM for states out of the context.
kv_cells=$(( parallel * ctx + 8192 ))
port=18400

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT

wait_ready() {
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "b1: server did not become ready" >&2; return 1
}

start_server() {  # system people -> command line in $cmd
  local system=$1 n=$2
  rm -rf "$out/data"
  case "$system" in
    os1)
      cmd=(build/bin/os1 serve --model "$model" --no-auth --port "$port" --threads "$threads" --parallel "$parallel"
           --ctx "$ctx" --kv-ram-mib "$kv_ram_mib" --kv-disk-gib 20 --shared-prompt "$persona" --data "$out/data"
           --rate-per-minute 0 --no-memory)
      # shellcheck disable=SC2206  # split on purpose: several options
      [ -n "$os1_args" ] && cmd+=($os1_args) ;;  # B1's client brings its own recalled block, as for the peer
    llama-np)
      cmd=("$prefix/bin/llama-server" -m "$model" --port "$port" -t "$threads" -c "$kv_cells" -np "$n"
           --cache-ram "$kv_ram_mib") ;;
    llama-default)
      cmd=("$prefix/bin/llama-server" -m "$model" --port "$port" -t "$threads") ;;
  esac
  "${cmd[@]}" >"$out/server-$system-$n.log" 2>&1 &
  server_pid=$!
  wait_ready
}

rss_mib() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0; }

summary=$raw/summary-think$think.jsonl
: >"$summary.new"
for system in $systems; do
  for n in $people_list; do
    turns=$(( (min_measured + n - 1) / n + 1 ))
    [ "$turns" -lt 4 ] && turns=4
    start_server "$system" "$n"
    echo "b1: $system, $n people, $turns turns each: ${cmd[*]}" >&2
    result=$(build/bin/os1-loadgen chat --port "$port" --model "$model" --persona "$persona" --people "$n" \
             --turns "$turns" --think-s "$think" "${together[@]}" --out "$raw/turns-$system-$n-think$think.jsonl")
    rss=$(rss_mib "$server_pid")
    stop_server
    echo "{\"system\":\"$system\",\"think_s\":$think,\"people\":$n,\"server_peak_rss_mib\":$rss,\"command\":\"${cmd[*]}\",\"result\":$result}" \
      | tee -a "$summary.new" >&2
  done
done
mv "$summary.new" "$summary"
if [ "$report" = 1 ]; then python3 bench/b1_report.py "$raw" bench/results; fi
