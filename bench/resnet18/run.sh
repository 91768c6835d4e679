#!/usr/bin/env bash
# Whole-model latency of a ResNet-18 (random weights) at batch 1, single
# thread: qopt's float reference, qopt's int8 graph (qopt-ptq) through the
# reference lowering and through the x86 VNNI code, and PyTorch's own float
# and int8 (FX PTQ, onednn). qopt's numbers exclude compilation; the x86
# and reference int8 outputs are checked byte-identical.
#   bench/resnet18/run.sh [build dir]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1

/usr/bin/python3 "$root/bench/resnet18/resnet18.py" export "$work" 2>/dev/null
"$build/bin/qopt-import" "$work/resnet18.onnx" -o "$work/float.mlir"
"$build/bin/qopt" "$work/float.mlir" --qopt-ptq="data=$work/data.npz:calib" \
  -o "$work/int8.mlir"
per_image() { awk '{printf "%.1f ms/image\n", 1000 * $5 / $2}'; }
echo -n "qopt float (reference lowering): "
"$build/bin/qopt-run" "$work/float.mlir" --input "$work/data.npz:test" | per_image
echo -n "qopt int8 (reference lowering):  "
"$build/bin/qopt-run" "$work/int8.mlir" --input "$work/data.npz:test" \
  --output "$work/ref.npy" | per_image
echo -n "qopt int8 (--codegen=x86):       "
"$build/bin/qopt-run" "$work/int8.mlir" --codegen=x86 --input "$work/data.npz:test" \
  --output "$work/x86.npy" | per_image
cmp "$work/ref.npy" "$work/x86.npy" && echo "x86 and reference int8 outputs: identical"
/usr/bin/python3 "$root/bench/resnet18/resnet18.py" pytorch "$work" 2>/dev/null
