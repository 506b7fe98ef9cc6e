#!/usr/bin/env bash
# The fastest llama.cpp settings for this CPU (issue 15, point 3): prompt and
# generation tokens/s of the pinned llama-batched-bench on the `bench` model
# over flash attention (on/off), KV cache type (f16/q8_0) and micro-batch size
# (256/512), at 1 and 4 parallel sequences with a prompt of --npp tokens.
# Both OS1 and llama-server run these kernels, so the winner is applied to both
# alike. Writes bench/results/settings.md (raw output in bench/results/settings/).
#
#   bench/settings.sh [--threads N] [--npp 1024] [--ntg 64]
set -euo pipefail
# Huge pages for large allocations, for every system alike (OS1 asks for them
# itself; decision 0010). OS1_HUGE_PAGES=0 in the environment measures without.
[[ "${OS1_HUGE_PAGES:-1}" == 0 ]] || export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

threads=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
[ "$threads" -gt 0 ] || threads=$(nproc)
npp=1024
ntg=64
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift ;;
    --npp) npp=$2; shift ;;
    --ntg) ntg=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "settings: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup >/dev/null
prefix=$(scripts/build-llama --print-prefix)
model=bench/out/bench.gguf
[ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
raw=bench/results/settings
mkdir -p "$raw"
ctx=$(( 4 * (npp + ntg) + 256 ))
report=bench/results/settings.md
{
  echo "# llama.cpp settings on this CPU"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs. Model: \`$model\` (Qwen2.5-0.5B shape, Q8_0)."
  echo "Command per row: \`llama-batched-bench -m $model -c $ctx -b 2048 -t $threads -npp $npp -ntg $ntg -npl 1,4 -fa FA -ctk KV -ctv KV -ub UB\`"
  echo
  echo "| flash attention | KV type | ubatch | PP t/s (1 seq) | TG t/s (1 seq) | PP t/s (4 seqs) | TG t/s (4 seqs) |"
  echo "|---|---|---|---|---|---|---|"
} >"$report"
for fa in on off; do
  for kv in f16 q8_0; do
    [ "$fa" = off ] && [ "$kv" = q8_0 ] && continue  # a quantized V cache needs flash attention
    for ub in 256 512; do
      name="fa-$fa-kv-$kv-ub-$ub"
      echo "settings: $name" >&2
      "$prefix/bin/llama-batched-bench" -m "$model" -c "$ctx" -b 2048 -ub "$ub" -t "$threads" \
        -npp "$npp" -ntg "$ntg" -npl 1,4 -fa "$fa" -ctk "$kv" -ctv "$kv" >"$raw/$name.txt" 2>&1
      # Rows: |    PP |     TG |    B |   N_KV |   T_PP s | S_PP t/s |   T_TG s | S_TG t/s |      T s |    S t/s |
      row=$(awk -F'|' '/^\|/ && $4+0 > 0 { gsub(/ /, ""); printf "%s %s ", $7, $9 }' "$raw/$name.txt")
      read -r pp1 tg1 pp4 tg4 <<<"$row"
      echo "| $fa | $kv | $ub | $pp1 | $tg1 | $pp4 | $tg4 |" >>"$report"
    done
  done
done
echo "settings: wrote $report" >&2
cat "$report"
