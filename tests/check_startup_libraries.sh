#!/usr/bin/env bash
# Keeps the start-up work of docs/building.md from regressing, without timing anything:
# - the binary does not link libonnx, libonnx_proto, libprotobuf or libcrypto (readelf NEEDED);
# - `cadenza eval` of MAESTRO files loads none of them, nor the ONNX module (the dynamic
#   loader's own log, LD_DEBUG=files);
# - `cadenza layers` of an ONNX model does load the module, and through it libonnx.
# Usage: check_startup_libraries.sh CADENZA_BINARY SOURCE_DIR
set -euo pipefail
binary=${1:?usage: check_startup_libraries.sh CADENZA_BINARY SOURCE_DIR}
source=${2:?usage: check_startup_libraries.sh CADENZA_BINARY SOURCE_DIR}
heavy='libonnx|libprotobuf|libcrypto|cadenza_onnx'
fail() { echo "check_startup_libraries: error: $*" >&2; exit 1; }

needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[[ -n $needed ]] || fail "readelf found no NEEDED entries in $binary"
if grep -E "$heavy" <<<"$needed"; then fail "$binary links the libraries above"; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
LD_DEBUG=files LD_DEBUG_OUTPUT="$log" "$binary" eval \
  --mapping "$source/tests/data/maestro/single/r50_res2b_2a_1x1__kcp.m" \
  --hw "$source/tests/data/maestro/hw/hw256_bw32.m" >/dev/null
loaded=$(cat "$log".* | sed -n 's/.*file=\([^ ]*\).*/\1/p' | sort -u)
rm -f "$log".*
[[ -n $loaded ]] || fail "LD_DEBUG=files logged nothing for cadenza eval"
if grep -E "$heavy" <<<"$loaded"; then fail "cadenza eval of .m files loaded the libraries above"; fi

LD_DEBUG=files LD_DEBUG_OUTPUT="$log" "$binary" layers "$source/models/resnet50.onnx" >/dev/null
loaded=$(cat "$log".* | sed -n 's/.*file=\([^ ]*\).*/\1/p' | sort -u)
rm -f "$log".*
grep -q cadenza_onnx <<<"$loaded" || fail "cadenza layers did not load the ONNX module"
grep -q libonnx <<<"$loaded" || fail "cadenza layers did not load libonnx"
echo "check_startup_libraries: the binary needs $(wc -l <<<"$needed") libraries and eval loads none" \
     "of ONNX, protobuf or libcrypto; layers loads ONNX through the module"
