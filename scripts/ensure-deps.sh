#!/usr/bin/env bash
# Installs what the build and the tests need and the machine lacks: Debian's emscripten,
# nlohmann-json3-dev, catch2, cmake, g++ and chromium, and the npm devDependencies.
# Run by npm start, npm test and npm pack, so nothing has to be run before them.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v emcc >/dev/null || missing+=(emscripten)
command -v cmake >/dev/null || missing+=(cmake)
command -v g++ >/dev/null || missing+=(g++)
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
[ -f /usr/include/catch2/catch.hpp ] || missing+=(catch2)
if [ "${OUTBOUND_NEEDS_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null; then
  missing+=(chromium)
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

# `npm ls` fails when a devDependency of package.json is missing or at another version.
if [ "${OUTBOUND_NEEDS_NODE_MODULES:-0}" = 1 ] && ! npm ls --depth=0 >/dev/null 2>&1; then
  echo "Installing npm devDependencies"
  npm install --no-audit --no-fund --loglevel=error
fi
