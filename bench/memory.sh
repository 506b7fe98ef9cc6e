#!/usr/bin/env bash
# B2 (BENCHMARKS.md): memory recall on the LoCoMo dev split, OS1's recall through
# `os1 memory-adapter` beside the scorer's own plain BM25, written to
# bench/results/memory.md.
#
#   bench/memory.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup >/dev/null
shared=${OS1_SHARED:-../shared}
out=bench/results/memory.md
run() {
  python3 "$shared/tools/membench.py" --dataset locomo --data "$shared/data/locomo-dev.json" --split dev --adapter "$1"
}
os1=$(run 'cmd:build/bin/os1 memory-adapter')
bm25=$(run builtin-bm25)
{
  echo "# B2: memory recall (LoCoMo dev split)"
  echo
  echo "Machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc) CPUs. $(date -u +%Y-%m-%d)."
  echo "Command: \`bench/memory.sh\`, which runs"
  echo "\`python3 ../shared/tools/membench.py --dataset locomo --data ../shared/data/locomo-dev.json --split dev --adapter 'cmd:build/bin/os1 memory-adapter'\`"
  echo "and the same with \`--adapter builtin-bm25\` (the scorer's plain BM25, the peer)."
  echo
  echo "OS1 recall (no neural embedder): FTS5 BM25 with Porter stemming over turn text and speaker,"
  echo "each turn's score smoothed with its neighbours in the session, a boost inside times the"
  echo "question names. Items are single turns printed as \"(date) speaker: text\"."
  echo
  echo "## OS1"
  echo
  echo '```'
  echo "$os1"
  echo '```'
  echo
  echo "## Plain BM25 (peer)"
  echo
  echo '```'
  echo "$bm25"
  echo '```'
} >"$out"
echo "$out"
