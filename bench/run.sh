#!/usr/bin/env bash
# npm run bench: builds dist/ (a no-op when it is up to date), then runs every measurement once
# (bench/run.mjs), printing the table and writing bench/results.md and .json. Extra arguments go to
# run.mjs (e.g. `npm run bench -- --only per-call`).
# `npm run bench -- convert [calls per round] [rounds]` builds and runs bench/convert/ instead.
# `npm run bench -- wasm-size [--top N]` builds dist/ and prints its code size by part
# (bench/wasm-size.mjs).
# Nothing is downloaded beyond the npm devDependencies (the peers are pinned there).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = convert ]; then
  shift
  bash scripts/build.sh convert_bench
  exec node bench/convert/run.mjs "$@"
fi
if [ "${1:-}" = wasm-size ]; then
  shift
  bash scripts/build.sh
  exec node bench/wasm-size.mjs "$@"
fi
OUTBOUND_NEEDS_BROWSER=1 bash scripts/build.sh  # start-up is measured in Chromium too
exec node bench/run.mjs "$@"
