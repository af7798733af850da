#!/usr/bin/env bash
# Installs what the build and the tests need and the machine lacks: Debian's emscripten,
# nlohmann-json3-dev, catch2, cmake, g++, chromium, clang with its libFuzzer runtime, and the npm
# devDependencies. Run by npm start, npm test, npm pack and npm run fuzz, so nothing has to be run
# before them. The callers say what they need beyond the native build: OUTBOUND_NEEDS_EMSCRIPTEN
# (default 1), OUTBOUND_NEEDS_BROWSER, OUTBOUND_NEEDS_FUZZER, OUTBOUND_NEEDS_NODE_MODULES.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang++'s libFuzzer runtime, where clang++ itself says its runtimes are.
fuzzer_runtime() {
  echo "$(clang++ -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a"
}

missing=()
if [ "${OUTBOUND_NEEDS_EMSCRIPTEN:-1}" = 1 ] && ! command -v emcc >/dev/null; then
  missing+=(emscripten)
fi
command -v cmake >/dev/null || missing+=(cmake)
command -v g++ >/dev/null || missing+=(g++)
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
[ -f /usr/include/catch2/catch.hpp ] || missing+=(catch2)
if [ "${OUTBOUND_NEEDS_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null; then
  missing+=(chromium)
fi
if [ "${OUTBOUND_NEEDS_FUZZER:-0}" = 1 ]; then
  command -v clang++ >/dev/null || missing+=(clang)
  if ! command -v clang++ >/dev/null || [ ! -f "$(fuzzer_runtime)" ]; then
    missing+=(libclang-rt-14-dev)
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A fresh clone installs exactly what package-lock.json says (npm ci); otherwise `npm ls` fails when
# a devDependency of package.json is missing or at another version, and npm install adds it.
if [ "${OUTBOUND_NEEDS_NODE_MODULES:-0}" = 1 ]; then
  if [ ! -d node_modules ]; then
    echo "Installing npm devDependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  elif ! npm ls --depth=0 >/dev/null 2>&1; then
    echo "Installing npm devDependencies"
    npm install --no-audit --no-fund --loglevel=error
  fi
fi
