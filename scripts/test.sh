#!/usr/bin/env bash
# npm test: the Catch2 suite natively, under sanitizers, and as WebAssembly under Node (the presets
# of CMakePresets.json, each configured, built once and run by CTest), a short run of each libFuzzer
# harness (OUTBOUND_FUZZ_SECONDS each, default 5), then the Node suites of wasm-tests/ against the
# local receiver over HTTP and in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
OUTBOUND_NEEDS_BROWSER=1 OUTBOUND_NEEDS_NODE_MODULES=1 bash scripts/ensure-deps.sh

echo "== Catch2, native (g++)"
bash scripts/build-preset.sh native
ctest --preset native

echo "== Catch2 under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer"
bash scripts/build-preset.sh sanitizers
ctest --preset sanitizers

echo "== Fuzzing smoke: each libFuzzer harness of fuzz/ for ${OUTBOUND_FUZZ_SECONDS:-5} s"
bash scripts/fuzz.sh "${OUTBOUND_FUZZ_SECONDS:-5}"

echo "== WebAssembly build (dist/ and Catch2 compiled to WebAssembly), the Catch2 run under Node"
bash scripts/build-preset.sh wasm
ctest --preset wasm

echo "== Node suites (wasm-tests/)"
node --test wasm-tests/
