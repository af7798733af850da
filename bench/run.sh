#!/usr/bin/env bash
# npm run bench: builds dist/ when it is missing or older than its sources, then runs every
# measurement once (bench/run.mjs), printing the table and writing bench/results.md and .json.
# Extra arguments go to run.mjs (e.g. `npm run bench -- --only per-call`).
# Nothing is downloaded beyond the npm devDependencies (the peers are pinned there).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/outbound/package.json ] || [ ! -f node_modules/@segment/analytics-next/package.json ] \
   || [ ! -f node_modules/mixpanel-browser/package.json ] || [ ! -f node_modules/playwright-core/package.json ]; then
  echo "bench: installing the npm devDependencies" >&2
  npm install --no-audit --no-fund --loglevel=error
fi

stale=""
for built in dist/outbound.js dist/outbound.wasm dist/outbound-node.cjs; do
  if [ ! -f "$built" ]; then
    stale="$built is missing"
    break
  fi
  newer=$(find src js CMakeLists.txt scripts/bundle.mjs -type f -newer "$built" -print -quit 2>/dev/null || true)
  if [ -n "$newer" ]; then
    stale="$newer is newer than $built"
    break
  fi
done
if [ -n "$stale" ]; then
  echo "bench: building dist/ ($stale)" >&2
  bash scripts/build.sh
fi

exec node bench/run.mjs "$@"
