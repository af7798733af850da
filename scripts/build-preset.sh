#!/usr/bin/env bash
# bash scripts/build-preset.sh PRESET [more `cmake --build` arguments]: configures and builds one
# preset of CMakePresets.json where the build is a step of something else (npm test, npm run fuzz).
# Its output goes to build/logs/PRESET.log and is printed only when the step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=$1
shift
log="build/logs/$preset.log"
mkdir -p build/logs
if ! { cmake --preset "$preset" && cmake --build --preset "$preset" -j "$(nproc 2>/dev/null || echo 2)" "$@"; } \
  >"$log" 2>&1; then
  cat "$log" >&2
  echo "Building the $preset preset failed (the output above is in $log)." >&2
  exit 1
fi
