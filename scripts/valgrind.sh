#!/usr/bin/env bash
# Runs the ava suite (or the spec files given) under valgrind's memcheck and fails on any invalid read or
# write, or use of freed memory, reported in a stack that passes through this package's binary. V8's JIT
# code confuses uninitialised-value tracking, so that check is off; addressability checks stay on.
#
#   bash scripts/valgrind.sh                       # every spec file (slow: node runs ~30× slower)
#   bash scripts/valgrind.sh __test__/copy.spec.ts
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(ls __test__/*.spec.ts)
status=0
# The tests must pass under memcheck too: TEST_SLOWDOWN makes the native calls that must outlast several
# garbage collections sleep that much longer (node runs ~30× slower here).
TEST_SLOWDOWN=${TEST_SLOWDOWN:-30} valgrind --tool=memcheck --undef-value-errors=no --trace-children=yes --log-file="$logs/%p.log" \
  node node_modules/ava/entrypoints/cli.mjs --concurrency=1 --timeout=10m "${files[@]}" || status=$?
errors=$(grep -l -E "Invalid (read|write)|Invalid free|Mismatched free|Source and destination overlap" "$logs"/*.log || true)
ours=""
for log in $errors; do
  if grep -A40 -E "Invalid (read|write)|Invalid free|Mismatched free|Source and destination overlap" "$log" | grep -q -E "indirect-buffer|indirect_buffer"; then
    ours="$ours $log"
  fi
done
echo "valgrind: $(ls "$logs" | wc -l) processes checked; ava exit status $status"
grep -h "ERROR SUMMARY" "$logs"/*.log | sort | uniq -c
if [ -n "$ours" ]; then
  for log in $ours; do echo "== $log"; grep -B2 -A40 -E "Invalid (read|write)|Invalid free" "$log" | head -80; done
  echo "valgrind: invalid memory accesses in indirect-buffer's code" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "valgrind: ava failed under memcheck (exit status $status)" >&2
  exit "$status"
fi
echo "valgrind: no invalid reads or writes in indirect-buffer's code"
