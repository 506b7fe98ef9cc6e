#!/usr/bin/env bash
# Issue 18's voice figures that exist today, on this machine:
# 1. the offline voices: flite's and pocketsphinx's real-time factors and the
#    round trip's word error rate (os1-voicebench: 20 sentences, noise floor);
# 2. POST /v1/audio/speech: time to the first byte of audio (streamed by the
#    sentence) against time to the whole of it (what a server that waits for
#    the whole synthesis would give first), 1 and 8 requests at once;
# 3. POST /v1/audio/transcriptions: time for 10 s of speech.
# Raw output and the table go to bench/results/voice/.
#
#   bench/voice.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=bench/results/voice
work=bench/out/voice
mkdir -p "$out" "$work"
os1=build/bin/os1
model=$work/tiny.gguf
[ -f "$model" ] || $os1 make-test-model --shape tiny --seed 1 --out "$model" >/dev/null
{
  echo "# bench/voice.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo
  echo "## 1. Offline voices (build/bin/os1-voicebench --noise-dbfs -50)"
  echo
  build/bin/os1-voicebench --noise-dbfs -50
} | tee "$out/offline.md"

port=18518
rm -rf "$work/data"
$os1 serve --model "$model" --no-auth --port $port --parallel 1 --ctx 1024 --data "$work/data" --rate-per-minute 0 \
  --no-memory >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

text="Good evening. I read your messages while you were out. Your sister wrote that she will visit on Sunday. \
There are eighty six old newsletters that could go. Your meeting with Paul moved to ten tomorrow morning. \
Shall I put the letter you wrote last week into the book?"
python3 -c 'import json,sys; print(json.dumps({"input": sys.argv[1], "voice": "slt", "response_format": sys.argv[2]}))' \
  "$text" wav >"$work/speech-wav.json"
python3 -c 'import json,sys; print(json.dumps({"input": sys.argv[1], "voice": "slt", "response_format": sys.argv[2]}))' \
  "$text" mp3 >"$work/speech-mp3.json"
speak() {  # FORMAT -> "first_byte_s total_s bytes"
  curl -s -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}\n' "http://127.0.0.1:$port/v1/audio/speech" \
    -H 'content-type: application/json' -d @"$work/speech-$1.json"
}
export -f speak
export port work
speak wav >/dev/null  # warm-up: the voice is registered
: >"$work/speech.raw"
for format in wav mp3; do
  for _ in $(seq 10); do echo "1 $format $(speak $format)" >>"$work/speech.raw"; done
  for _ in $(seq 2); do
    seq 8 | xargs -P 8 -I{} bash -c "echo \"8 $format \$(speak $format)\"" >>"$work/speech.raw"
  done
done
curl -s "http://127.0.0.1:$port/v1/audio/speech" -H 'content-type: application/json' -d @"$work/speech-wav.json" -o "$work/said.wav"
: >"$work/transcribe.raw"
for _ in $(seq 5); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/v1/audio/transcriptions" -F file=@"$work/said.wav" >>"$work/transcribe.raw"
done
cp "$work/speech.raw" "$work/transcribe.raw" "$out/"
python3 - "$work/speech.raw" "$work/transcribe.raw" "$work/said.wav" <<'PY' | tee "$out/speech.md"
import statistics, sys
def pct(xs, p):
    xs = sorted(xs); k = (len(xs) - 1) * p; f = int(k); c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)
rows = {}
for line in open(sys.argv[1]):
    n, fmt, first, total, size = line.split()
    rows.setdefault((int(n), fmt), []).append((float(first), float(total)))
print("## 2. POST /v1/audio/speech: first audio byte against the whole (7 sentences, flite slt)\n")
print("| at once | format | requests | first byte p50 | p95 | whole p50 | p95 | first / whole (p50) |")
print("|---|---|---|---|---|---|---|---|")
for (n, fmt), xs in sorted(rows.items()):
    f = [a for a, _ in xs]; t = [b for _, b in xs]
    print(f"| {n} | {fmt} | {len(xs)} | {pct(f,.5)*1000:.0f} ms | {pct(f,.95)*1000:.0f} ms | {pct(t,.5)*1000:.0f} ms | "
          f"{pct(t,.95)*1000:.0f} ms | {pct(f,.5)/pct(t,.5):.2f} |")
ts = [float(x) for x in open(sys.argv[2])]
print("\n## 3. POST /v1/audio/transcriptions (the speech above as WAV, pocketsphinx)\n")
print(f"| requests | p50 | max |\n|---|---|---|\n| {len(ts)} | {statistics.median(ts)*1000:.0f} ms | {max(ts)*1000:.0f} ms |")
PY
