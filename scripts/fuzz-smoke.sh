#!/usr/bin/env bash
# Fuzz smoke test: builds the libFuzzer targets of tests/fuzz (build/fuzz: clang-14, ASan and
# UBSan) and runs each for CADENZA_FUZZ_SECONDS seconds (default 30) on its seed corpus
# tests/fuzz/corpus/TARGET. A crash, leak, sanitizer report, uncaught exception or an input
# slower than CADENZA_FUZZ_TIMEOUT seconds (default 10) fails the run; the input is kept in
# build/fuzz/artifacts/ and the fuzzer's log is printed.
#   scripts/fuzz-smoke.sh                 every target
#   scripts/fuzz-smoke.sh onnx templates  those targets only
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${CADENZA_FUZZ_SECONDS:-30}
timeout=${CADENZA_FUZZ_TIMEOUT:-10}
build=build/fuzz
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(maestro hardware templates onnx)

start=$SECONDS
bash scripts/install-deps.sh
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCADENZA_FUZZ=ON -DCADENZA_BUILD_TESTS=OFF \
  -DCADENZA_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]/#/fuzz_}"
echo "fuzz-smoke: built ${targets[*]} ($((SECONDS - start)) s)"

mkdir -p "$build/artifacts"
for target in "${targets[@]}"; do
  # New inputs go to a scratch corpus; the committed seeds are only read.
  scratch=$(mktemp -d)
  log="$build/artifacts/$target.log"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout="$timeout" \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
      "$scratch" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    rm -rf "$scratch"
    tail -n 60 "$log" >&2
    echo "fuzz-smoke: error: fuzz_$target failed; input in $build/artifacts/, log $log" >&2
    exit 1
  fi
  rm -rf "$scratch"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz-smoke: fuzz_$target: ${runs:-?} inputs in ${seconds} s, no failure"
done
echo "fuzz-smoke: passed ($((SECONDS - start)) s)"
