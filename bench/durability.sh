#!/usr/bin/env bash
# B4 (BENCHMARKS.md): SIGKILL `os1 serve` at random moments while three people
# talk, CYCLES times, then check that every turn acknowledged (HTTP 200) is
# stored with its reply and that the database passes PRAGMA integrity_check.
# The same code as the test cli_durability (tests/cli/test-cli-durability.cpp),
# with more cycles. Writes bench/results/memory-b4.md.
#
#   bench/durability.sh [CYCLES]     (default 50)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup >/dev/null
cycles=${1:-50}
log=$(OS1_B4_CYCLES=$cycles build/bin/test-cli --gtest_filter='cli_durability.*' 2>&1) || true
line=$(grep '^B4:' <<<"$log" || echo "B4: the run failed; see below")
out=bench/results/memory-b4.md
{
  echo "## B4: durability"
  echo
  echo "Machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc) CPUs. $(date -u +%Y-%m-%d)."
  echo "Command: \`bench/durability.sh $cycles\` (the test cli_durability with OS1_B4_CYCLES=$cycles): three people"
  echo "send turns without pause (tiny model, 3-token replies, two conversations each); after 0.4 to 1.5 s the"
  echo "server gets SIGKILL; then every acknowledged turn and its reply are looked up, and integrity_check runs."
  echo
  echo '```'
  echo "$line"
  grep -E '^\[  (PASSED|FAILED) |Failure' <<<"$log" || true
  echo '```'
} >"$out"
cat "$out"
