#!/usr/bin/env bash
# What `npm start` runs: build dist/ (build.sh installs missing Debian packages first), then serve the
# demo page, the browser build and the local receiver on one port (PORT, default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# exec: the server gets Ctrl-C / SIGTERM itself and closes cleanly.
exec node web-demo/server.mjs
