#!/usr/bin/env bash
# ctest: os1 serve answers the official OpenAI client library (npm "openai").
# Usage: test.sh OS1_BINARY
# --no-memory: it checks that the same request gets the same reply, and a
# remembering server recalls the first request in the second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
os1=$1
command -v node >/dev/null || { echo "node is needed (apt-get install nodejs)"; exit 1; }
[ -d "$here/node_modules/openai" ] || (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --silent)
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill -TERM $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
model=$work/tiny.gguf
"$os1" make-test-model --out "$model" --seed 42 >/dev/null 2>&1
token=$("$os1" --data "$work" users add tester 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$os1" --data "$work" serve --model "$model" --port "$port" --ctx 2048 --parallel 2 --no-memory >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
node "$here/run.mjs" "$port" "$token" || { cat "$work/server.log"; exit 1; }
