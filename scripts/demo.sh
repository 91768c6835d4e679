#!/usr/bin/env bash
# Installs what is missing, builds qopt and runs its main job on the bundled
# example: the tiny float CNN with calibrated ranges goes through the
# quantization pipeline and the quantized IR is printed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QOPT_BUILD_DIR:-$root/build}"

"$root/scripts/build.sh" >&2

"$build/bin/qopt" "$root/examples/tiny-cnn/tiny-cnn.mlir" --qopt-quantize-qdq "$@"
