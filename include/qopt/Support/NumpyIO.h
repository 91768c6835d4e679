//===- NumpyIO.h - reading and writing NumPy .npy / .npz files --*- C++ -*-===//
//
// qopt exchanges tensors with Python users as NumPy files: .npy (format
// versions 1-3, little-endian, C order) and .npz archives as written by
// np.savez (stored, ZIP64 included) and np.savez_compressed (deflate).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_NUMPYIO_H
#define QOPT_SUPPORT_NUMPYIO_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qopt {

/// One array: its NumPy dtype string (e.g. "<f4", "<i8", "|u1"), shape and
/// raw little-endian C-order bytes.
struct NumpyArray {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  /// Bytes per element of `dtype`.
  int64_t elementSize() const;
  bool isFloat32() const { return dtype == "<f4"; }
  bool isInteger() const;
  /// The elements of an integer array widened to int64.
  std::vector<int64_t> toInt64() const;

  static NumpyArray float32(std::vector<int64_t> shape,
                            const std::vector<float> &values);
};

/// Parses .npy bytes. Errors name what is wrong (magic, header, dtype,
/// Fortran order, size).
llvm::Expected<NumpyArray> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef name);
llvm::Expected<NumpyArray> readNpy(llvm::StringRef path);

/// Reads every array of an .npz archive, keyed by name without ".npy".
llvm::Expected<std::map<std::string, NumpyArray>> readNpz(llvm::StringRef path);

/// Reads `file.npy`, or one array `file.npz:key` (the key may be omitted
/// when the archive holds exactly one array).
llvm::Expected<NumpyArray> readArray(llvm::StringRef spec);

std::string serializeNpy(const NumpyArray &array);
llvm::Error writeNpy(llvm::StringRef path, const NumpyArray &array);
/// Writes an uncompressed .npz archive (readable by np.load).
llvm::Error writeNpz(llvm::StringRef path,
                     const std::map<std::string, NumpyArray> &arrays);

} // namespace qopt

#endif // QOPT_SUPPORT_NUMPYIO_H
