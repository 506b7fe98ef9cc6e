#!/usr/bin/env bash
# ctest: the web page in a real browser (Debian's chromium through
# playwright-core), against real `os1 serve` processes with the tiny model.
# Usage: test.sh OS1_BINARY [NAME.test.mjs ...]   (all of them by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
os1=$(realpath "$1")
command -v node >/dev/null || { echo "node is needed (apt-get install nodejs)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "chromium is needed (scripts/setup installs it: apt-get install chromium)"; exit 1; }
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --silent)
[ -f "$root/web/dist/index.html" ] || "$root/scripts/setup" --no-build
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
"$os1" make-test-model --out "$work/tiny.gguf" --seed 42 >/dev/null 2>&1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() {
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "os1 serve on port $1 did not start:"; cat "$work"/*.log; return 1
}
# Two servers that remember: one with tokens (alice, bob), one --no-auth (the person at this machine).
mkdir -p "$work/auth" "$work/open"
token=$("$os1" --data "$work/auth" users add alice 2>/dev/null)
bob=$("$os1" --data "$work/auth" users add bob 2>/dev/null)
auth_port=$(free_port)
"$os1" --data "$work/auth" serve --model "$work/tiny.gguf" --port "$auth_port" --ctx 2048 --parallel 2 --no-onboarding \
  --web "$root/web/dist" >"$work/auth.log" 2>&1 &
pids+=($!)
open_port=$(free_port)
"$os1" --data "$work/open" serve --model "$work/tiny.gguf" --port "$open_port" --ctx 2048 --parallel 2 --no-auth --no-onboarding \
  --web "$root/web/dist" >"$work/open.log" 2>&1 &
pids+=($!)
wait_up "$auth_port"
wait_up "$open_port"
OS1_BIN=$os1 OS1_MODEL=$work/tiny.gguf OS1_WEB=$root/web/dist \
  OS1_AUTH_PORT=$auth_port OS1_OPEN_PORT=$open_port OS1_TOKEN=$token OS1_TOKEN_BOB=$bob node --test --test-concurrency=1 \
  $(if [ $# -gt 1 ]; then for f in "${@:2}"; do echo "$here/$f"; done; else echo "$here"/*.test.mjs; fi) \
  || { rc=$?; for l in auth open; do echo "--- the end of the $l server's log:"; tail -n 40 "$work/$l.log"; done; exit "$rc"; }
