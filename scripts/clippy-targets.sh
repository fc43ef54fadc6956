#!/usr/bin/env bash
# Clippy (warnings are errors) for the release targets this host does not build: code behind
# `cfg(not(target_arch = "x86_64"))`, 32-bit, Windows and macOS paths is otherwise first compiled by the
# release workflow. One target per kind of difference the code has (architecture, pointer width, OS);
# their standard libraries are added with rustup on first use (a download, nothing compiled).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf x86_64-pc-windows-msvc aarch64-apple-darwin)
if ! command -v rustup > /dev/null; then
  echo "clippy-targets: rustup not found, so no other target can be added; skipped (${targets[*]})"
  exit 0
fi
installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
  grep -qx "$t" <<< "$installed" || rustup target add "$t"
done
for t in "${targets[@]}"; do
  echo "-- $t"
  cargo clippy --workspace --all-targets --target "$t" -- -D warnings
done
