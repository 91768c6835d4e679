#!/usr/bin/env bash
# Installs what qopt needs to build and test, from Debian's packages, only if
# it is missing. Safe to run repeatedly.
set -euo pipefail

packages=(
  # Toolchain: LLVM/MLIR 22 (linked as libMLIR.so / libLLVM.so), clang, lld.
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  cmake ninja-build
  # Unit tests.
  libgtest-dev
  # ONNX import with ONNX's own libraries; NumPy .npz (deflate) reading.
  libonnx-dev libprotobuf-dev zlib1g-dev
  # References no one here wrote: PyTorch's observers (golden scale/zero
  # point test), gemmlowp's fixedpoint.h (requantization oracle).
  python3-torch python3-numpy libgemmlowp-dev
  # The bundled example's training script and ONNX test models.
  python3-onnx python3-sklearn
  # The int8 GEMM benchmark's peer (bench/, not the tests): oneDNN.
  libdnnl-dev
  # AArch64 code is linked with Debian's cross toolchain and run under
  # user-mode emulation (test/Target/Cpu).
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "qopt setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
