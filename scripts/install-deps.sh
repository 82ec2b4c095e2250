#!/usr/bin/env bash
# Installs, only when missing, every Debian package Cadenza builds, tests or benchmarks with,
# Chromium for the report's browser test, and that test's npm packages (tests/browser, pinned by
# its package-lock.json). Idempotent: when everything is present it changes nothing and never
# touches the network.
#   scripts/install-deps.sh               everything
#   scripts/install-deps.sh --no-browser  without Chromium and the npm packages (enough to build
#                                         and run cadenza; the browser test then skips itself)
set -euo pipefail

browser=true
[[ "${1:-}" == "--no-browser" ]] && browser=false

packages=(
  build-essential cmake pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler libmd-dev
  libcxxopts-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libonnx-testdata clang-14 libclang-rt-14-dev libomp-14-dev ccache
  # The Python package (scripts/test-python.sh): a venv of Debian's python3 that sees Debian's
  # onnx, PyTorch, torchvision and pandas, which the tests of load(ModelProto), from_torch (on
  # torchvision's ResNet-18), the example notebook and to_pandas use.
  python3-dev python3-venv python3-onnx python3-torch python3-torchvision python3-pandas
)
# The report's browser test: Debian's Chromium, and Node.js and npm unless the machine already
# has them (a newer Node.js installed some other way is kept).
if $browser; then
  packages+=(chromium)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing_packages() {
  local p status
  for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ "$status" == ii* ]] || echo "$p"
  done
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: error: this script needs Debian's dpkg and apt-get; install these" \
       "packages (or their equivalents) by hand: ${packages[*]}" >&2
  exit 1
fi

install_missing_packages() {
  echo "install-deps: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      SUDO=(sudo -n)
    else
      echo "install-deps: error: missing Debian packages (${missing[*]}) and not root;" \
           "run as root or install them with: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  else
    SUDO=()
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${SUDO[@]}" apt-get update -qq; then
    echo "install-deps: error: apt-get update failed; is Debian's package archive reachable?" >&2
    exit 1
  fi
  if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "install-deps: error: apt-get install ${missing[*]} failed" >&2
    exit 1
  fi
  mapfile -t still_missing < <(missing_packages)
  if [[ ${#still_missing[@]} -gt 0 ]]; then
    echo "install-deps: error: still missing after apt-get install: ${still_missing[*]}" >&2
    exit 1
  fi
}

# The browser test's npm packages, exactly as package-lock.json pins them.
install_browser_test_packages() {
  local dir
  dir="$(dirname "$0")/../tests/browser"
  [[ -d "$dir/node_modules/playwright-core" ]] && return 0
  echo "install-deps: installing the browser test's npm packages (tests/browser)" >&2
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    echo "install-deps: error: npm ci in tests/browser failed; is the npm registry reachable?" >&2
    exit 1
  fi
}

mapfile -t missing < <(missing_packages)
[[ ${#missing[@]} -eq 0 ]] || install_missing_packages
if $browser; then install_browser_test_packages; fi
