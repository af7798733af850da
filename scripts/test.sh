#!/usr/bin/env bash
# npm test: the Catch2 suite natively, under sanitizers, and as WebAssembly under Node (all through
# CTest), a short run of each libFuzzer harness (OUTBOUND_FUZZ_SECONDS each, default 5), then the
# Node suites of wasm-tests/ against the local receiver over HTTP and in headless
# Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
OUTBOUND_NEEDS_BROWSER=1 OUTBOUND_NEEDS_NODE_MODULES=1 bash scripts/ensure-deps.sh
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
jobs=$(nproc 2>/dev/null || echo 2)

echo "== Catch2, native (g++)"
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/native -j "$jobs" >/dev/null
ctest --test-dir build/native --output-on-failure

echo "== Catch2 under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer"
cmake -S . -B build/sanitizers -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" >/dev/null
cmake --build build/sanitizers -j "$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build/sanitizers --output-on-failure

echo "== Fuzzing smoke: each libFuzzer harness of fuzz/ for ${OUTBOUND_FUZZ_SECONDS:-5} s"
bash scripts/fuzz.sh "${OUTBOUND_FUZZ_SECONDS:-5}"

echo "== WebAssembly build, and Catch2 compiled to WebAssembly under Node"
bash scripts/build.sh >/dev/null 2>&1 || bash scripts/build.sh
cmake --build build/wasm -j "$jobs" >/dev/null
ctest --test-dir build/wasm --output-on-failure

echo "== Node suites (wasm-tests/)"
node --test wasm-tests/
