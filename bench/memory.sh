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
  echo "question names, and one for turns of the sessions that match best as a whole. Items are"
  echo "single turns printed as \"(date) speaker: text\"."
  echo
  echo "$os1" | awk '/^HEADLINE/ {
    printf "Headline (categories 1-4): turn recall@10 %s (target 75: %s), recall within 1,024 words %s (target 85: %s).\n\n",
      $4, ($4 >= 75 ? "met" : "not yet"), $10, ($10 >= 85 ? "met" : "not yet") }'
  echo "Query latency in this table includes the pipe to the adapter and JSON; B3 (100,000 memories) is not measured yet."
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
