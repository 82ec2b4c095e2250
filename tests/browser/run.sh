#!/usr/bin/env bash
# ctest's entry to the browser test: runs report_test.mjs when Node.js, the npm packages
# (scripts/install-deps.sh installs them) and Chromium are there. Outside CI a missing piece
# skips the test (exit 77); in CI (CI=true) it fails it.
#   run.sh CADENZA_BINARY MODEL OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

missing=()
command -v node >/dev/null 2>&1 || missing+=("node")
[[ -d $here/node_modules/playwright-core ]] || missing+=("tests/browser/node_modules")
[[ -x $chromium ]] || missing+=("$chromium")
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "browser test: missing ${missing[*]}; run scripts/install-deps.sh" >&2
  [[ ${CI:-} == true ]] && exit 1
  exit 77
fi
exec node "$here/report_test.mjs" "$@"
