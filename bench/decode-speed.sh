#!/usr/bin/env bash
# Single-stream decoding speed of OS1 and llama-server at a given depth: one
# non-streaming request (warm-up, then timed) of a ~4,000-token prompt and a
# 300-token reply, each server alone on the machine, alternated twice.
#
#   bench/decode-speed.sh
set -euo pipefail
# Huge pages for large allocations, for every system alike (OS1 asks for them
# itself; decision 0010). OS1_HUGE_PAGES=0 in the environment measures without.
[[ "${OS1_HUGE_PAGES:-1}" == 0 ]] || export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup >/dev/null
model=bench/out/bench.gguf
[ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
prefix=$(scripts/build-llama --print-prefix)
port=18502
work=bench/out/decode-speed
mkdir -p "$work"
python3 - "$work/body.json" <<'PY'
import json, sys
txt = " ".join(f"The lighthouse keeper counted ship number {i} passing the harbour at dawn." for i in range(260))
json.dump({"model": "m", "messages": [{"role": "user", "content": txt}], "max_tokens": 300,
           "ignore_eos": True, "temperature": 0}, open(sys.argv[1], "w"))
PY
for system in os1 llama-server os1 llama-server; do
  rm -rf "$work/data"
  case $system in
    os1) cmd=(build/bin/os1 serve --model "$model" --no-auth --port $port --threads 2 --parallel 8 --ctx 8192
              --data "$work/data" --rate-per-minute 0 --no-memory) ;;  # the same prompt as the peer
    llama-server) cmd=("$prefix/bin/llama-server" -m "$model" --port $port -t 2 -c 73728 -np 2) ;;
  esac
  "${cmd[@]}" >"$work/$system.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
  ask() { curl -sf "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' -d @"$work/body.json" >/dev/null; }
  ask  # computes the prompt; the timed request reuses it
  s=$(date +%s%N); ask; e=$(date +%s%N)
  kill -TERM $pid; wait $pid || true
  echo "$system: $(( (e - s) / 300000 )) us/token ($(( (e - s) / 1000000 )) ms for 300 tokens)"
done
