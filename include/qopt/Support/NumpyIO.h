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
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct z_stream_s; // zlib's stream state, for NumpySampleReader

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

/// Reads an array one batch of samples (slices along its first dimension)
/// at a time, so memory does not grow with the number of samples: a .npy
/// file or an .npz member (`file.npz:key`), stored (np.savez) or compressed
/// (np.savez_compressed, inflated as a stream).
class NumpySampleReader {
public:
  static llvm::Expected<std::unique_ptr<NumpySampleReader>>
  open(llvm::StringRef spec);
  ~NumpySampleReader();

  /// The array's dtype and full shape (no data).
  const NumpyArray &header() const { return info; }
  int64_t numSamples() const { return info.shape.front(); }
  /// Reads the next `count` samples (fewer at the end) into `out`, whose
  /// shape becomes [count, ...].
  llvm::Error readNext(int64_t count, NumpyArray &out);

private:
  NumpySampleReader() = default;
  llvm::Error readRaw(char *dst, size_t n);

  std::string name;
  NumpyArray info;
  std::ifstream file;
  uint64_t remaining = 0; // bytes of the file (or stored member) left
  int64_t next = 0;       // next sample
  std::unique_ptr<z_stream_s> inflater; // set for compressed members
  std::vector<char> compressedBuffer;
};

/// Fails when the float32 `batch` (samples along the first dimension) holds
/// NaN or an infinity, naming the sample (numbered from `firstSample`) and
/// the element: "<what> sample 7 holds NaN at element 12".
llvm::Error checkFiniteSamples(const NumpyArray &batch, int64_t firstSample,
                               llvm::StringRef what);

std::string serializeNpy(const NumpyArray &array);
llvm::Error writeNpy(llvm::StringRef path, const NumpyArray &array);
/// Writes an uncompressed .npz archive (readable by np.load).
llvm::Error writeNpz(llvm::StringRef path,
                     const std::map<std::string, NumpyArray> &arrays);

} // namespace qopt

#endif // QOPT_SUPPORT_NUMPYIO_H
