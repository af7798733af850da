#!/bin/sh
# Builds convert_bench.cpp into build/convert_bench.js with the product's flags (see the node module
# in CMakeLists.txt: Release, so -DNDEBUG, and -sDYNAMIC_EXECUTION=0). OPT=-O2 ./build.sh to compare.
set -eu
cd "$(dirname "$0")"
export NODE_PATH=/usr/share/nodejs   # emcc's acorn lives there on Debian
mkdir -p build/include
ln -sfn /usr/include/nlohmann build/include/nlohmann   # never -I/usr/include: it shadows the sysroot
em++ convert_bench.cpp -o build/convert_bench.js -isystem build/include --pre-js ../../src/bindings/js_args.js \
  --bind "${OPT:--Oz}" -DNDEBUG -fno-exceptions -DJSON_NOEXCEPTION -std=c++17 -sDYNAMIC_EXECUTION=0 \
  -sMODULARIZE=1 -sSINGLE_FILE=1 -sWASM_ASYNC_COMPILATION=0 -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1
echo "built build/convert_bench.js ($(wc -c < build/convert_bench.js) bytes, ${OPT:--Oz})"
