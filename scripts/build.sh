#!/usr/bin/env bash
# bash scripts/build.sh [target...]: builds dist/ (the browser file, its .wasm and the Node module),
# or the given targets, with the wasm preset of CMakePresets.json; a no-op when they are up to date.
set -euo pipefail
exec 1>&2  # build logs are diagnostics; this keeps `npm pack --json` output parseable
cd "$(dirname "$0")/.."
OUTBOUND_NEEDS_NODE_MODULES=1 bash scripts/ensure-deps.sh  # terser, for dist/
if [ ! -f build/wasm/CMakeCache.txt ]; then
  cmake --preset wasm >/dev/null
fi
cmake --build --preset wasm -j "$(nproc 2>/dev/null || echo 2)" --target "${@:-dist}"
