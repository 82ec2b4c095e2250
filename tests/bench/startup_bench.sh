#!/usr/bin/env bash
# Process start-up and whole-run wall time of the cadenza binary, as medians of N runs
# (hyperfine-like; stdout and stderr to /dev/null). Prints figures; it asserts nothing and is not
# a test (timings depend on the machine and its load). docs/building.md records the results.
#   tests/bench/startup_bench.sh [CADENZA_BINARY] [RUNS]
# Default binary: build/release/cli/cadenza (bash scripts/run.sh or
# `cmake --preset release && cmake --build --preset release` builds it); default 200 runs.
#
# Rows: /bin/true (the floor of starting any process from this script), `cadenza --version`,
# `cadenza eval` of one layer (tests/data/maestro/single, a 1x1 ResNet-50 convolution under KC-P),
# and `cadenza eval` of all 53 convolutions and the classifier of ResNet-50 in one file
# (models/maestro/resnet50_kcp.m), both on the 256-PE MAESTRO hardware file.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
binary=${1:-$root/build/release/cli/cadenza}
runs=${2:-200}
[[ -x $binary ]] || { echo "startup_bench: error: $binary is not an executable" >&2; exit 1; }

hw=$root/tests/data/maestro/hw/hw256_bw32.m
layer=$root/tests/data/maestro/single/r50_res2b_2a_1x1__kcp.m
network=$root/models/maestro/resnet50_kcp.m

labels=("/bin/true" "cadenza --version" "cadenza eval (one layer)"
        "cadenza eval (ResNet-50, 54 layers)")
commands=("/bin/true"
          "$binary --version"
          "$binary eval --mapping $layer --hw $hw"
          "$binary eval --mapping $network --hw $hw")

# The commands must work before they are timed: a failing run would time an error path.
for command in "${commands[@]:1}"; do $command >/dev/null; done

# Round-robin: run i of every command follows run i of the one before, so that a change in the
# machine's load (other processes) affects every row alike. Each time is wall time around
# fork+exec+wait as this shell sees it, in microseconds. Three warm-up rounds are not counted.
declare -A times
for ((i = -3; i < runs; ++i)); do
  for ((c = 0; c < ${#commands[@]}; ++c)); do
    start=$EPOCHREALTIME
    ${commands[c]} >/dev/null 2>&1
    end=$EPOCHREALTIME
    ((i < 0)) || times[$c]+="$(( ${end/./} - ${start/./} )) "
  done
done

echo "startup_bench: $binary, $runs runs each"
echo "  libraries: $(ldd "$binary" | awk '{ print $1 }' | grep -v vdso | tr '\n' ' ')"
for ((c = 0; c < ${#commands[@]}; ++c)); do
  printf '  %-36s ' "${labels[c]}"
  tr ' ' '\n' <<<"${times[$c]}" | grep . | sort -n |
    awk '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
                             printf "median %7.2f ms  (min %.2f, max %.2f)\n", m / 1000,
                                    t[1] / 1000, t[NR] / 1000 }'
done
