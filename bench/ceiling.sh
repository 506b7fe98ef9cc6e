#!/usr/bin/env bash
# The ceiling of this machine: prompt and generation tokens/s of the pinned
# llama.cpp on the `bench` model (the shape of Qwen2.5-0.5B, Q8_0), measured
# with llama-batched-bench at 1, 4 and 16 parallel sequences. Every OS1
# benchmark is read against these numbers. Writes bench/results/ceiling.md.
#
#   bench/ceiling.sh [--threads N] [--npp 512] [--ntg 128] [--model FILE]
set -euo pipefail
# Huge pages for large allocations, for every system alike (OS1 asks for them
# itself; decision 0010). OS1_HUGE_PAGES=0 in the environment measures without.
[[ "${OS1_HUGE_PAGES:-1}" == 0 ]] || export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

threads=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
[ "$threads" -gt 0 ] || threads=$(nproc)
npp=512
ntg=128
model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift ;;
    --npp) npp=$2; shift ;;
    --ntg) ntg=$2; shift ;;
    --model) model=$2; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ceiling: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup >/dev/null
prefix=$(scripts/build-llama --print-prefix)
mkdir -p bench/out
if [ -z "$model" ]; then
  model=bench/out/bench.gguf
  [ -f "$model" ] || build/bin/os1 make-test-model --shape bench --seed 1 --out "$model"
fi

npl=1,4,16
ctx=$(( 16 * (npp + ntg) + 256 ))
cmd=("$prefix/bin/llama-batched-bench" -m "$model" -c "$ctx" -b 2048 -ub 512 -t "$threads"
     -npp "$npp" -ntg "$ntg" -npl "$npl")
echo "running: ${cmd[*]}" >&2
table=$("${cmd[@]}" 2>/dev/null | grep '^|')

out=bench/results/ceiling.md
{
  echo "# Ceiling of this machine (llama.cpp $(sed -n 's/^release=//p' deps/llama.cpp.pin), bench model)"
  echo
  echo "Measured $(date -u +%F) by \`bench/ceiling.sh\`; the command it ran:"
  echo
  echo '```'
  echo "${cmd[*]/#$prefix/<llama prefix>}"
  echo '```'
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs," \
       "$threads threads used, $(free -g | awk '/Mem:/ {print $2}') GiB memory, $(uname -sr)."
  echo "Model: \`os1 make-test-model --shape bench --seed 1\` (Qwen2.5-0.5B shape, Q8_0, $(du -h "$model" | cut -f1))."
  echo
  echo "PP = prompt tokens per sequence, TG = generated tokens per sequence, B = parallel sequences;"
  echo "S_PP and S_TG are prompt and generation tokens/s over all sequences."
  echo
  echo "$table"
} >"$out"
cat "$out"
