#!/usr/bin/env bash
# Issue 18's realtime figure on this machine: on /v1/realtime, the time from
# the end of the person's speech (streamed in real time, 16 kHz) to the first
# byte of reply audio, against the time to the last byte of it (what waiting
# for the whole reply would give first), with the tiny and the bench model,
# 1 and 8 voice sessions at once (os1-realtimebench). The server runs as a
# person would run it: memory on, server VAD with its defaults (500 ms of
# silence ends an utterance), pocketsphinx and flite; the first-run interview
# is off (its first turns are answered without the model). Raw output and the table
# go to bench/results/voice/.
#
#   bench/realtime.sh [--max-tokens 60]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
max_tokens=60
[ "${1:-}" = "--max-tokens" ] && max_tokens=$2
out=bench/results/voice
work=bench/out/realtime
mkdir -p "$out" "$work"
os1=build/bin/os1
for shape in tiny bench; do
  [ -f "$work/$shape.gguf" ] || $os1 make-test-model --shape $shape --seed 1 --out "$work/$shape.gguf" >/dev/null
done
port=18519
raw=$out/realtime.raw
{
  echo "# bench/realtime.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "replies of at most $max_tokens tokens; random-weight models, so the words are noise"
} >"$raw"
table=()
for shape in tiny bench; do
  rm -rf "$work/data"
  $os1 serve --model "$work/$shape.gguf" --no-auth --port $port --parallel 8 --ctx 8192 --data "$work/data" \
    --rate-per-minute 0 --no-onboarding >"$work/serve-$shape.log" 2>&1 &
  pid=$!
  trap '[ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null; true' EXIT
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  for sessions in 1 8; do
    turns=$([ "$sessions" = 1 ] && echo 10 || echo 3)
    cmd="build/bin/os1-realtimebench --port $port --sessions $sessions --turns $turns --max-tokens $max_tokens --label $shape"
    echo -e "\n## $cmd" >>"$raw"
    $cmd | tee -a "$raw"
    table+=("$(tail -1 "$raw")")
  done
  kill -TERM $pid; wait $pid 2>/dev/null || true
  pid=""
done
{
  echo "## /v1/realtime: end of speech to the first reply audio ($(git rev-parse --short HEAD))"
  echo
  echo "| system | sessions | turns | end of speech to: detected p50 | transcript p50 | first audio p50 | p95 | whole reply's audio p50 | p95 | first/whole p50 |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${table[@]}"
} | tee "$out/realtime.md"
