#!/usr/bin/env bash
# Accepts the current output as the golden files of the report (tests/golden/*.json): run it after
# a deliberate change to the report, the search or the templates, then review `git diff`.
#   tests/golden/approve.sh [BUILD_DIR]     (default: build/dev)
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:-build/dev}
binary=$build/tests/cadenza_report_tests
if [[ ! -x $binary ]]; then
  echo "approve: $binary not found; build first: cmake --build $build" >&2
  exit 1
fi
CADENZA_APPROVE_GOLDEN=1 "$binary" --gtest_filter='ReportGoldenTest.*' >/dev/null
git status --short -- tests/golden
git diff --stat -- tests/golden
