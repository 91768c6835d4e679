#!/usr/bin/env bash
# Installs what is missing, builds qopt and runs its main job on the bundled
# examples:
#  1. the digits CNN (examples/digits, trained with PyTorch, exported to
#     ONNX) is imported and run on its test split: float accuracy;
#  2. the same model goes through qopt's post-training quantization
#     pipeline (qopt-ptq: batch-norm folding, calibration by JIT over the
#     calibration split, range propagation, Q/DQ, integer ops): every op
#     between the input's quantize and the logits' dequantize is integer.
#     The int8 IR is written to build/digits.int8.mlir and run again;
#     The same graph then runs through qopt's x86 code generation (packed
#     int8 GEMM microkernels) with byte-identical outputs;
#  3. qopt-report prints per-layer SQNR and max |err| (in LSBs) of that
#     integer model against the float one;
#  4. the tiny TOSA CNN with calibrated ranges goes through the quantization
#     pipeline and the quantized IR is printed.
# Arguments replace the default pipeline of step 4, e.g.
#   ./scripts/demo.sh --qopt-quantize-qdq="activation-policy=ui8,asymmetric,per_tensor"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QOPT_BUILD_DIR:-$root/build}"

"$root/scripts/build.sh" >&2

digits="$root/examples/digits"
echo "== digits CNN (ONNX, float) on its 360-image test split"
"$build/bin/qopt-import" "$digits/digits.onnx" -o "$build/digits.mlir"
"$build/bin/qopt-run" "$build/digits.mlir" \
  --input "$digits/digits.npz:test_x" --labels "$digits/digits.npz:test_y"

echo "== digits CNN, int8 integer-only graph (qopt-ptq) on the test split"
quantize="qopt-ptq{data=$digits/digits.npz:calib_x observer=minmax}"
"$build/bin/qopt" "$build/digits.mlir" --pass-pipeline="builtin.module($quantize)" \
  -o "$build/digits.int8.mlir"
echo "quantized IR: $build/digits.int8.mlir"
"$build/bin/qopt-run" "$build/digits.int8.mlir" \
  --input "$digits/digits.npz:test_x" --labels "$digits/digits.npz:test_y"

echo "== the same int8 graph through qopt's x86 code (packed AMX or VNNI GEMMs): identical outputs"
"$build/bin/qopt-run" "$build/digits.int8.mlir" \
  --input "$digits/digits.npz:test_x" --output "$build/digits.int8.ref.npy" >/dev/null
"$build/bin/qopt-run" "$build/digits.int8.mlir" --codegen=x86 \
  --input "$digits/digits.npz:test_x" --labels "$digits/digits.npz:test_y" \
  --output "$build/digits.int8.x86.npy"
cmp "$build/digits.int8.ref.npy" "$build/digits.int8.x86.npy" &&
  echo "x86 and reference int8 outputs are byte-identical"

echo "== per-layer numerics of the int8 digits CNN against the float model"
"$build/bin/qopt-report" "$digits/digits.onnx" --pipeline "$quantize" \
  --input "$digits/digits.npz:test_x"

echo "== tiny CNN (TOSA) through the QDQ quantization pipeline"
if [ $# -eq 0 ]; then
  set -- --qopt-quantize-qdq
fi
"$build/bin/qopt" "$root/examples/tiny-cnn/tiny-cnn.mlir" "$@"
