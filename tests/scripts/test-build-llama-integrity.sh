#!/usr/bin/env bash
# scripts/build-llama must refuse a tarball whose sha512 differs from the pin,
# with a message that names both values, and build nothing.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/scripts" "$work/deps"
cp "$src/scripts/build-llama" "$work/scripts/"
sed 's/^integrity=.*/integrity=sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==/' \
  "$src/deps/llama.cpp.pin" >"$work/deps/llama.cpp.pin"
set +e
out=$(XDG_CACHE_HOME="$work/cache" "$work/scripts/build-llama" 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" -ne 0 ] || { echo "FAIL: exit code 0"; exit 1; }
grep -q "integrity mismatch" <<<"$out" || { echo "FAIL: no 'integrity mismatch'"; exit 1; }
grep -q "sha512-AAAA" <<<"$out" || { echo "FAIL: expected value not named"; exit 1; }
if find "$work/cache" -name .complete | grep -q .; then echo "FAIL: something was built"; exit 1; fi
echo "PASS"
