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
os1_wn=$(run 'cmd:build/bin/os1 memory-adapter --related-words')
bm25=$(run builtin-bm25)
{
  echo "# B2: memory recall (LoCoMo dev split)"
  echo
  echo "Machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc) CPUs. $(date -u +%Y-%m-%d)."
  echo "Command: \`bench/memory.sh\`, which runs"
  echo "\`python3 ../shared/tools/membench.py --dataset locomo --data ../shared/data/locomo-dev.json --split dev --adapter 'cmd:build/bin/os1 memory-adapter'\`"
  echo "and the same with \`--related-words\` (WordNet) and with \`--adapter builtin-bm25\` (the scorer's plain BM25, the peer)."
  echo
  echo "OS1 recall (no neural embedder; src/memory/recall.h): FTS5 BM25 with Porter stemming over each"
  echo "person's own postings, the BM25 of each word of the question summed (one OR query) and scaled"
  echo "by the share of the words a turn matched (coordination); a speaker the question names is taken as whose turns are meant (x1.5), not as"
  echo "a word to find; a second search with the words of the 3 best turns adds up to a tenth of the"
  echo "best score (pseudo-relevance feedback); each turn's score is smoothed with the turns up to two"
  echo "either side in its session (share 0.5/2/distance); a boost inside times the question names, and"
  echo "one for turns of the sessions that match best as a whole, and a small one for recent turns when no time"
  echo "is named (up to x1.1, halving every 30 days; a general prior, not fitted here: on this split it costs"
  echo "0.1 of recall@10, since the questions ask about every session alike). Items are single turns printed as"
  echo "\"(date) speaker: text\". With \`--related-words\`, WordNet synonyms, derived forms and narrower"
  echo "kinds of the question's words are searched too at a tenth of the weight; it does not help on"
  echo "this split (senses are not disambiguated), so it is off by default."
  echo
  echo "The adapter ingests turns only and runs no model, so no facts or summaries exist here (recall would"
  echo "fuse them in, each citing its source turns); with \`--embed-model FILE.gguf\` it would fuse dense vectors too."
  echo "No embedding GGUF exists on this machine (no downloads), so that is not measured here."
  echo
  echo "$os1" | awk '/^HEADLINE/ {
    printf "Headline (categories 1-4): turn recall@10 %s (target 75: %s), recall within 1,024 words %s (target 85: %s).\n\n",
      $4, ($4 >= 75 ? "met" : "not yet"), $10, ($10 >= 85 ? "met" : "not yet") }'
  echo "Query latency in this table includes the pipe to the adapter and JSON; B3 and B4 are below."
  echo
  echo "## OS1"
  echo
  echo '```'
  echo "$os1"
  echo '```'
  echo
  echo "## OS1 with WordNet related words (--related-words)"
  echo
  echo '```'
  echo "$os1_wn"
  echo '```'
  echo
  echo "## Plain BM25 (peer)"
  echo
  echo '```'
  echo "$bm25"
  echo '```'
  # B3 and B4 take minutes: their own scripts write them, this report includes them.
  for part in bench/results/memory-b3.md bench/results/memory-b4.md; do
    if [ -f "$part" ]; then echo; cat "$part"; fi
  done
} >"$out"
echo "$out"
