#!/usr/bin/env bash
# npm run fuzz [seconds per harness, default 60]: builds the libFuzzer harnesses of fuzz/ (clang++,
# AddressSanitizer and UndefinedBehaviorSanitizer) into build/fuzz, and runs each for that long on
# a scratch copy of its seed corpus, fuzz/corpus/<name>/: what a run discovers is not kept, except
# the inputs that crash, in build/fuzz/crashes/. A crash does not end a harness's run (fork mode),
# so every crash is counted. Prints executions and crashes per harness and in total; exits
# non-zero on any crash.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [seconds per harness, default 60]" >&2
  exit 2
fi
jobs=$(nproc 2>/dev/null || echo 2)

OUTBOUND_NEEDS_EMSCRIPTEN=0 OUTBOUND_NEEDS_FUZZER=1 bash scripts/ensure-deps.sh

build=build/fuzz  # the fuzz preset's binaryDir
bash scripts/build-preset.sh fuzz

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/crashes" "$build/logs"
total_executions=0
total_crashes=0
harnesses=0
printf '%-18s %14s %8s\n' harness executions crashes
for source in fuzz/*.cpp; do
  name=$(basename "$source" .cpp)
  corpus="$scratch/$name"
  mkdir -p "$corpus"
  if [ -d "fuzz/corpus/$name" ]; then cp -R "fuzz/corpus/$name/." "$corpus/"; fi
  log="$build/logs/$name.log"
  started="$scratch/$name.started"
  touch "$started"
  dict=()
  if [ -f "fuzz/$name.dict" ]; then dict=(-dict="fuzz/$name.dict"); fi
  # Fork mode: a crash, timeout or leak ends one child, not the run; each is counted below.
  "$build/fuzz/fuzz_$name" -fork="$jobs" -ignore_crashes=1 -max_total_time="$seconds" \
    -max_len=4096 -timeout=10 -artifact_prefix="$build/crashes/$name-" "${dict[@]}" "$corpus" \
    >"$log" 2>&1 || true
  # The last progress line: "#<executions>: ... oom/timeout/crash: <o>/<t>/<c> ...".
  progress=$(grep -E '^#[0-9]+: ' "$log" | tail -n 1 || true)
  executions=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$progress")
  executions=${executions:-0}
  crashes=0
  if [[ $progress =~ oom/timeout/crash:\ ([0-9]+)/([0-9]+)/([0-9]+) ]]; then
    crashes=$((BASH_REMATCH[1] + BASH_REMATCH[2] + BASH_REMATCH[3]))
  fi
  if [ -z "$progress" ]; then
    crashes=1  # the run did not even start: the log says why
  fi
  mapfile -t kept < <(find "$build/crashes" -name "$name-*" -newer "$started" | sort)
  # A crash after the last progress line is counted by its input alone.
  if [ ${#kept[@]} -gt "$crashes" ]; then crashes=${#kept[@]}; fi
  printf '%-18s %14d %8d\n' "$name" "$executions" "$crashes"
  # What the inputs kept this run broke (the harness run on each alone says), with one of them.
  for input in "${kept[@]:0:30}"; do
    reason=$("$build/fuzz/fuzz_$name" "$input" 2>&1 |
      grep -m 1 -E 'invariant broken|^SUMMARY|runtime error' |
      sed -E 's|^/.*/(fuzz/[a-z_]+\.cpp:)|\1|' || true)
    echo "${reason:-see $log}"$'\t'"$input"
  done | sort | awk -F '\t' '{ n[$1]++; if (!($1 in e)) e[$1] = $2 }
    END { for (r in n) printf "    %d x %s\n      e.g. %s\n", n[r], r, e[r] }'
  if [ ${#kept[@]} -gt 30 ]; then echo "    (${#kept[@]} inputs kept; the first 30 are shown)"; fi
  total_executions=$((total_executions + executions))
  total_crashes=$((total_crashes + crashes))
  harnesses=$((harnesses + 1))
done
printf '%-18s %14d %8d   (%d harnesses, %d s each)\n' total "$total_executions" "$total_crashes" \
  "$harnesses" "$seconds"
[ "$total_crashes" -eq 0 ]
