#!/usr/bin/env bash
# B5 (issue 15): people outnumber slots and the RAM budget. Each person arrives
# with ~3,000 tokens of earlier conversation (their first, unmeasured turn
# computes it), then takes --turns measured turns with exponential think time;
# when everyone has had half of them, the server is restarted. 8 slots, the
# same RAM budget for saved states on both sides (OS1 --kv-ram-mib = llama-server
# --cache-ram), OS1's disk tier as shipped. Raw results go to bench/results/b5/,
# the table to bench/results/serving-b5.md.
#
#   bench/b5.sh [--people "16 32 64"] [--systems "os1 llama llama-ram-default"] [--think-s 60]
#               [--turns 3] [--history-tokens 3000] [--ram-mib 256] [--os1-args "--verbose"] [--raw DIR]
# With --raw the raw results go to DIR and no report is written (for a variant
# measured beside the published run).
set -euo pipefail
# Huge pages for large allocations, for every system alike (OS1 asks for them
# itself; decision 0010). OS1_HUGE_PAGES=0 in the environment measures without.
[[ "${OS1_HUGE_PAGES:-1}" == 0 ]] || export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

people_list="16 32 64"
systems="os1 llama llama-ram-default"
think=60
turns=3
history=3000
ram_mib=256
os1_args=""
raw=bench/results/b5
report=1
slots=8
ctx=8192
threads=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
while [ $# -gt 0 ]; do
  case "$1" in
    --people) people_list=$2; shift ;;
    --systems) systems=$2; shift ;;
    --think-s) think=$2; shift ;;
    --turns) turns=$2; shift ;;
    --history-tokens) history=$2; shift ;;
    --ram-mib) ram_mib=$2; shift ;;
    --os1-args) os1_args=$2; shift ;;
    --raw) raw=$2; report=0; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "b5: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup >/dev/null
prefix=$(scripts/build-llama --print-prefix)
out=bench/out/b5
mkdir -p "$out" "$raw"
model=bench/out/bench.gguf
[ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
persona=$out/persona.txt
build/bin/os1-loadgen persona --model "$model" --out "$persona"
port=18500

# The server runs from a small script so that the load generator can restart it.
cat >"$out/server.sh" <<'EOF'
#!/usr/bin/env bash
# server.sh start|stop|restart: the command is in cmd.txt, the pid in server.pid.
set -euo pipefail
dir=$(dirname "$0")
stop() {
  if [ -f "$dir/server.pid" ]; then
    pid=$(cat "$dir/server.pid")
    awk '/VmHWM/ {printf "%d\n", $2/1024}' "/proc/$pid/status" >>"$dir/rss.txt" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    rm -f "$dir/server.pid"
  fi
}
start() {
  nohup bash -c "exec $(cat "$dir/cmd.txt")" >>"$dir/server.log" 2>&1 &
  echo $! >"$dir/server.pid"
  for _ in $(seq 1 1200); do
    curl -sf "http://127.0.0.1:$(cat "$dir/port.txt")/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "server.sh: the server did not become ready" >&2; return 1
}
case "$1" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
esac
EOF
chmod +x "$out/server.sh"
echo "$port" >"$out/port.txt"
trap '"$out/server.sh" stop' EXIT

summary=$raw/summary.jsonl
: >"$summary.new"
for system in $systems; do
  for n in $people_list; do
    rm -rf "$out/data" "$out/rss.txt" "$out/server.log"
    case "$system" in
      os1) cmd="build/bin/os1 serve --model $model --no-auth --port $port --threads $threads --parallel $slots --ctx $ctx \
--kv-ram-mib $ram_mib --kv-disk-gib 20 --shared-prompt $persona --data $out/data --rate-per-minute 0 --no-memory $os1_args" ;;
      llama) cmd="$prefix/bin/llama-server -m $model --port $port -t $threads -c $(( slots * ctx )) -np $slots \
--cache-ram $ram_mib --cache-idle-slots" ;;
      llama-ram-default) cmd="$prefix/bin/llama-server -m $model --port $port -t $threads -c $(( slots * ctx )) -np $slots \
--cache-idle-slots" ;;
    esac
    echo "$cmd" >"$out/cmd.txt"
    "$out/server.sh" start
    echo "b5: $system, $n people: $cmd" >&2
    result=$(build/bin/os1-loadgen chat --port "$port" --model "$model" --persona "$persona" --people "$n" \
             --turns $(( turns + 1 )) --think-s "$think" --history-tokens "$history" \
             --restart-after $(( (turns + 1) / 2 )) --restart-cmd "$out/server.sh restart" \
             --out "$raw/turns-$system-$n.jsonl")
    metrics=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^os1_kv_(hits|misses)' | tr '\n' ';' || true)
    "$out/server.sh" stop
    if [ "$report" = 0 ]; then cp "$out/server.log" "$raw/server-$system-$n.log" 2>/dev/null || true; fi
    rss=$(sort -n "$out/rss.txt" | tail -1)
    SYSTEM=$system PEOPLE=$n THINK=$think HISTORY=$history RAM=$ram_mib RSS=${rss:-0} METRICS=$metrics CMD=$cmd RESULT=$result \
      python3 -c 'import json, os; e = os.environ; print(json.dumps({"system": e["SYSTEM"], "people": int(e["PEOPLE"]),
"think_s": float(e["THINK"]), "history_tokens": int(e["HISTORY"]), "ram_mib": int(e["RAM"]),
"server_peak_rss_mib": int(e["RSS"]), "kv_metrics_after_restart": e["METRICS"], "command": e["CMD"],
"result": json.loads(e["RESULT"])}))' | tee -a "$summary.new" >&2
  done
done
cat "$summary.new" >>"$summary"
rm -f "$summary.new"
if [ "$report" = 1 ]; then python3 bench/b5_report.py "$summary" bench/results/serving-b5.md; fi
