#!/usr/bin/env bash
# Builds dist/ (the browser file, its .wasm and the Node module) with Emscripten.
set -euo pipefail
exec 1>&2  # build logs are diagnostics; this keeps `npm pack --json` output parseable
cd "$(dirname "$0")/.."
OUTBOUND_NEEDS_NODE_MODULES=1 bash scripts/ensure-deps.sh  # terser, for dist/
# Debian's emcc finds its JS optimizer's acorn only here (Debian ships it outside Node's search path).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/wasm --target dist -j "$jobs"
