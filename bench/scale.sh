#!/usr/bin/env bash
# B1 scale points: 8,316 conversations registered and held (their KV states on
# disk) with the server's memory measured, conversations that waited on disk
# answering their next turn, and 10,000 idle connections held open.
# Writes bench/results/b1/scale.json and, through bench/b1_report.py,
# bench/results/serving-scale.md.
#
#   bench/scale.sh [--conversations 8316] [--connections 10000] [--kv-ram-mib 512] [--after-restart]
#
# --after-restart starts the server on the data folder an earlier run left (its
# conversations all on disk after the restart) instead of registering them again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

conversations=8316
connections=10000
kv_ram_mib=512
after_restart=0
while [ $# -gt 0 ]; do
  case "$1" in
    --conversations) conversations=$2; shift ;;
    --connections) connections=$2; shift ;;
    --kv-ram-mib) kv_ram_mib=$2; shift ;;
    --after-restart) after_restart=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup >/dev/null
out=bench/out/b1
mkdir -p "$out"
model=bench/out/bench.gguf
[ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
persona=$out/persona.txt
build/bin/os1-loadgen persona --model "$model" --out "$persona"
threads=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
port=18401
data=$out/scale-data
if [ "$after_restart" = 1 ]; then
  [ -d "$data" ] || { echo "scale: no earlier data in $data" >&2; exit 1; }
  reg_flags=(--conversations 0 --after-restart)
else
  rm -rf "$data"
  reg_flags=(--conversations "$conversations")
fi
cmd=(build/bin/os1 serve --model "$model" --no-auth --port "$port" --threads "$threads" --parallel 8 --ctx 4096
     --kv-ram-mib "$kv_ram_mib" --kv-disk-gib 60 --shared-prompt "$persona" --data "$data" --rate-per-minute 0
     --io-threads 2 --no-memory)  # as in B1: the load generator brings the recalled block
"${cmd[@]}" >"$out/scale-server.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done

kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
model_mib=$(( $(stat -c %s "$model") / 1048576 ))
rss_start=$(kib $pid VmRSS)

held_at_start=$(metric 'os1_conversations{tier="disk"}')
echo "scale: registering conversations (${reg_flags[*]}); $held_at_start on disk at start" >&2
reg=$(build/bin/os1-loadgen register --port "$port" --model "$model" --persona "$persona" \
      "${reg_flags[@]}" --concurrency 8 --revisit 10)
rss_after_register=$(kib $pid VmRSS)
hwm_after_register=$(kib $pid VmHWM)
disk=$(metric 'os1_conversations{tier="disk"}')
ram=$(metric 'os1_conversations{tier="ram"}')
resident=$(metric 'os1_conversations{tier="resident"}')
kv_disk=$(metric 'os1_kv_bytes{tier="disk"}')

echo "scale: holding $connections idle connections" >&2
rss_before_idle=$(kib $pid VmRSS)
idle=$(build/bin/os1-loadgen idle --port "$port" --connections "$connections" --hold-s 20 &
       loadgen=$!; sleep 12; kib $pid VmRSS >"$out/.rss_idle"; wait $loadgen)
rss_idle=$(cat "$out/.rss_idle"); rm -f "$out/.rss_idle"

mkdir -p bench/results/b1
cat >bench/results/b1/scale.json <<JSON
{
  "command": "${cmd[*]}",
  "model_file_mib": $model_mib,
  "after_restart": $after_restart,
  "conversations_on_disk_at_start": ${held_at_start:-0},
  "register": $reg,
  "conversations_by_tier_after_register": {"resident": $resident, "ram": $ram, "disk": $disk},
  "kv_disk_mib": $(( ${kv_disk%.*} / 1048576 )),
  "server_rss_mib": {"start": $(( rss_start / 1024 )), "after_register": $(( rss_after_register / 1024 )),
                     "peak_after_register": $(( hwm_after_register / 1024 ))},
  "rss_over_model_mib_after_register": $(( rss_after_register / 1024 - model_mib )),
  "idle": $idle,
  "rss_per_idle_connection_kib": $(( (rss_idle - rss_before_idle) / connections ))
}
JSON
cat bench/results/b1/scale.json
python3 bench/b1_report.py bench/results/b1 bench/results
