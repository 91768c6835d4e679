//===- NumpyIO.cpp - reading and writing NumPy .npy / .npz files ----------===//

#include "qopt/Support/NumpyIO.h"
#include "qopt/Support/Error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <zlib.h>

using namespace llvm;
using namespace qopt;

int64_t NumpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t NumpyArray::elementSize() const {
  unsigned size = 0;
  if (dtype.size() >= 3 &&
      !StringRef(dtype).drop_front(2).getAsInteger(10, size))
    return size;
  return 0;
}

bool NumpyArray::isInteger() const {
  return dtype.size() >= 3 && (dtype[1] == 'i' || dtype[1] == 'u') &&
         (dtype[0] == '<' || dtype[0] == '|');
}

std::vector<int64_t> NumpyArray::toInt64() const {
  std::vector<int64_t> out(numElements());
  int64_t size = elementSize();
  bool isSigned = dtype[1] == 'i';
  for (int64_t i = 0; i < numElements(); ++i) {
    const char *p = data.data() + i * size;
    switch (size) {
    case 1:
      out[i] = isSigned ? int64_t(*reinterpret_cast<const int8_t *>(p))
                        : int64_t(*reinterpret_cast<const uint8_t *>(p));
      break;
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      out[i] = isSigned ? int64_t(v) : int64_t(uint16_t(v));
      break;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      out[i] = isSigned ? int64_t(v) : int64_t(uint32_t(v));
      break;
    }
    default:
      std::memcpy(&out[i], p, 8);
    }
  }
  return out;
}

NumpyArray NumpyArray::float32(std::vector<int64_t> shape,
                               const std::vector<float> &values) {
  NumpyArray a;
  a.dtype = "<f4";
  a.shape = std::move(shape);
  a.data.resize(values.size() * 4);
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

/// Extracts the value of `'key': value` from a NumPy header dict.
static std::optional<StringRef> headerField(StringRef header, StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t pos = header.find(quoted);
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

/// Parses the .npy header at the start of `bytes` into `array`'s dtype and
/// shape; returns the offset of the data.
static Expected<size_t> parseNpyHeader(StringRef bytes, StringRef name,
                                       NumpyArray &array) {
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return fail(name + ": not a .npy file (bad magic)");
  uint8_t major = bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(name + ": truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return fail(name + ": unsupported .npy format version " + Twine(major));
  }
  if (bytes.size() < offset + headerLen)
    return fail(name + ": truncated .npy header");
  StringRef header = bytes.substr(offset, headerLen);
  auto descr = headerField(header, "descr");
  if (!descr || !descr->starts_with("'"))
    return fail(name + ": .npy header has no dtype");
  array.dtype =
      descr->drop_front().take_until([](char c) { return c == '\''; }).str();
  if (array.dtype == "<f4" || array.dtype == "|u1" || array.dtype == "|i1" ||
      array.dtype == "<i2" || array.dtype == "<u2" || array.dtype == "<i4" ||
      array.dtype == "<u4" || array.dtype == "<i8" || array.dtype == "<u8" ||
      array.dtype == "<f8") {
  } else {
    return fail(name + ": unsupported dtype '" + array.dtype +
                "' (little-endian numbers only)");
  }
  auto fortran = headerField(header, "fortran_order");
  if (!fortran || fortran->starts_with("True"))
    return fail(name + ": Fortran-ordered arrays are not supported (use "
                       "np.ascontiguousarray)");
  auto shape = headerField(header, "shape");
  if (!shape || !shape->consume_front("("))
    return fail(name + ": .npy header has no shape");
  StringRef dims = shape->take_until([](char c) { return c == ')'; });
  SmallVector<StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0)
      return fail(name + ": bad shape entry '" + part + "'");
    array.shape.push_back(d);
  }
  return offset + headerLen;
}

/// Bytes of .npy header a reader needs before it knows the header length.
static constexpr size_t kNpyPreamble = 12;

/// The header length field of a .npy preamble (version 1: 2 bytes at 8,
/// else 4 bytes); 0 if the magic is wrong.
static size_t npyHeaderEnd(StringRef preamble) {
  if (!preamble.starts_with("\x93NUMPY") || preamble.size() < kNpyPreamble)
    return 0;
  if (preamble[6] == 1)
    return 10 + (uint8_t(preamble[8]) | (size_t(uint8_t(preamble[9])) << 8));
  size_t len = 0;
  for (int i = 0; i < 4; ++i)
    len |= size_t(uint8_t(preamble[8 + i])) << (8 * i);
  return 12 + len;
}

Expected<NumpyArray> qopt::parseNpy(StringRef bytes, StringRef name) {
  NumpyArray array;
  auto dataAt = parseNpyHeader(bytes, name, array);
  if (!dataAt)
    return dataAt.takeError();
  size_t expected = array.numElements() * array.elementSize();
  StringRef payload = bytes.drop_front(*dataAt);
  if (payload.size() < expected)
    return fail(name + ": truncated data (" + Twine(payload.size()) +
                " bytes for " + Twine(expected) + ")");
  array.data.assign(payload.begin(), payload.begin() + expected);
  return array;
}

Expected<NumpyArray> qopt::readNpy(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fail("cannot read '" + path + "': " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

static uint32_t le32(StringRef b, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= uint32_t(uint8_t(b[at + i])) << (8 * i);
  return v;
}
static uint16_t le16(StringRef b, size_t at) {
  return uint16_t(uint8_t(b[at])) | (uint16_t(uint8_t(b[at + 1])) << 8);
}
static uint64_t le64(StringRef b, size_t at) {
  return uint64_t(le32(b, at)) | (uint64_t(le32(b, at + 4)) << 32);
}

Expected<std::map<std::string, NumpyArray>> qopt::readNpz(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fail("cannot read '" + path + "': " + buffer.getError().message());
  StringRef b = (*buffer)->getBuffer();
  std::map<std::string, NumpyArray> arrays;
  size_t at = 0;
  while (at + 4 <= b.size() && le32(b, at) == 0x04034b50) {
    if (at + 30 > b.size())
      return fail(path + ": truncated zip entry");
    uint16_t flags = le16(b, at + 6), method = le16(b, at + 8);
    uint64_t compressed = le32(b, at + 18), uncompressed = le32(b, at + 22);
    uint16_t nameLen = le16(b, at + 26), extraLen = le16(b, at + 28);
    if (at + 30 + nameLen + extraLen > b.size())
      return fail(path + ": truncated zip entry");
    std::string name = b.substr(at + 30, nameLen).str();
    StringRef extra = b.substr(at + 30 + nameLen, extraLen);
    // ZIP64: sizes live in the extra field (np.savez forces ZIP64).
    for (size_t e = 0; e + 4 <= extra.size();) {
      uint16_t id = le16(extra, e), len = le16(extra, e + 2);
      if (id == 0x0001 && len >= 16 && e + 4 + len <= extra.size()) {
        uncompressed = le64(extra, e + 4);
        compressed = le64(extra, e + 12);
      }
      e += 4 + len;
    }
    if (flags & 0x8)
      return fail(path + ": zip entries with trailing data descriptors are "
                         "not supported");
    size_t dataAt = at + 30 + nameLen + extraLen;
    if (dataAt + compressed > b.size())
      return fail(path + ": truncated data for '" + name + "'");
    StringRef payload = b.substr(dataAt, compressed);
    std::string inflated;
    if (method == 8) {
      inflated.resize(uncompressed);
      z_stream stream{};
      stream.next_in =
          reinterpret_cast<Bytef *>(const_cast<char *>(payload.data()));
      stream.avail_in = payload.size();
      stream.next_out = reinterpret_cast<Bytef *>(inflated.data());
      stream.avail_out = inflated.size();
      if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
        return fail(path + ": cannot inflate '" + name + "'");
      int status = inflate(&stream, Z_FINISH);
      inflateEnd(&stream);
      if (status != Z_STREAM_END || stream.total_out != uncompressed)
        return fail(path + ": corrupt compressed data for '" + name + "'");
      payload = inflated;
    } else if (method != 0) {
      return fail(path + ": unsupported zip compression method " +
                  Twine(method));
    }
    StringRef key = StringRef(name);
    key.consume_back(".npy");
    auto array = parseNpy(payload, (path + ":" + key).str());
    if (!array)
      return array.takeError();
    arrays[key.str()] = std::move(*array);
    at = dataAt + compressed;
  }
  if (arrays.empty())
    return fail(path + ": not an .npz archive (no arrays found)");
  return arrays;
}

Expected<NumpyArray> qopt::readArray(StringRef spec) {
  auto [file, key] = spec.rsplit(':');
  if (!spec.contains(".npz")) {
    return readNpy(spec);
  }
  if (!file.ends_with(".npz")) {
    file = spec;
    key = "";
  }
  auto arrays = readNpz(file);
  if (!arrays)
    return arrays.takeError();
  if (key.empty()) {
    if (arrays->size() != 1) {
      std::string names;
      for (auto &[k, v] : *arrays)
        names += (names.empty() ? "" : ", ") + k;
      return fail(file + " holds several arrays (" + names + "); name one as " +
                  file + ":<key>");
    }
    return std::move(arrays->begin()->second);
  }
  auto it = arrays->find(key.str());
  if (it == arrays->end()) {
    std::string names;
    for (auto &[k, v] : *arrays)
      names += (names.empty() ? "" : ", ") + k;
    return fail(file + " has no array '" + key + "' (it has: " + names + ")");
  }
  return std::move(it->second);
}

llvm::Error qopt::checkFiniteSamples(const NumpyArray &batch,
                                     int64_t firstSample,
                                     llvm::StringRef what) {
  const float *values = reinterpret_cast<const float *>(batch.data.data());
  int64_t count = batch.numElements();
  int64_t perSample =
      batch.shape.empty() || batch.shape[0] == 0 ? 1 : count / batch.shape[0];
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(values[i]))
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          llvm::Twine(what) + " sample " +
              llvm::Twine(firstSample + i / perSample) + " holds " +
              (std::isnan(values[i]) ? "NaN" : "an infinity") + " at element " +
              llvm::Twine(i % perSample));
  return llvm::Error::success();
}

std::string qopt::serializeNpy(const NumpyArray &array) {
  // Python tuple syntax: (), (3,), (2, 3).
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape +=
        std::to_string(array.shape[i]) + (array.shape.size() == 1      ? ","
                                          : i + 1 < array.shape.size() ? ", "
                                                                       : "");
  shape += ")";
  std::string header = "{'descr': '" + array.dtype +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char((header.size() >> 8) & 0xff);
  out += header;
  out.append(array.data.begin(), array.data.end());
  return out;
}

Error qopt::writeNpy(StringRef path, const NumpyArray &array) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  os << serializeNpy(array);
  return Error::success();
}

Error qopt::writeNpz(StringRef path,
                     const std::map<std::string, NumpyArray> &arrays) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  auto put16 = [](std::string &s, uint16_t v) {
    s += char(v & 0xff);
    s += char(v >> 8);
  };
  auto put32 = [&](std::string &s, uint32_t v) {
    put16(s, v & 0xffff);
    put16(s, v >> 16);
  };
  std::string file, central;
  uint16_t count = 0;
  for (const auto &[key, array] : arrays) {
    std::string name = key + ".npy";
    std::string data = serializeNpy(array);
    uint32_t crc = crc32(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(data.data()), data.size()));
    uint32_t offset = file.size();
    std::string local;
    put32(local, 0x04034b50);
    put16(local, 20);
    put16(local, 0);
    put16(local, 0); // stored
    put16(local, 0);
    put16(local, 0x21);
    put32(local, crc);
    put32(local, data.size());
    put32(local, data.size());
    put16(local, name.size());
    put16(local, 0);
    file += local + name + data;
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, data.size());
    put32(central, data.size());
    put16(central, name.size());
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, offset);
    central += name;
    ++count;
  }
  std::string end;
  put32(end, 0x06054b50);
  put16(end, 0);
  put16(end, 0);
  put16(end, count);
  put16(end, count);
  put32(end, central.size());
  put32(end, file.size());
  put16(end, 0);
  os << file << central << end;
  return Error::success();
}

//===----------------------------------------------------------------------===//
// NumpySampleReader
//===----------------------------------------------------------------------===//

NumpySampleReader::~NumpySampleReader() {
  if (inflater)
    inflateEnd(inflater.get());
}

Error NumpySampleReader::readRaw(char *dst, size_t n) {
  if (!inflater) {
    if (n > remaining)
      return fail(name + ": truncated data");
    file.read(dst, n);
    if (size_t(file.gcount()) != n)
      return fail(name + ": truncated data");
    remaining -= n;
    return Error::success();
  }
  z_stream &stream = *inflater;
  stream.next_out = reinterpret_cast<Bytef *>(dst);
  stream.avail_out = n;
  while (stream.avail_out > 0) {
    if (stream.avail_in == 0) {
      size_t chunk = std::min<uint64_t>(compressedBuffer.size(), remaining);
      if (chunk == 0)
        return fail(name + ": truncated compressed data");
      file.read(compressedBuffer.data(), chunk);
      if (size_t(file.gcount()) != chunk)
        return fail(name + ": truncated compressed data");
      remaining -= chunk;
      stream.next_in = reinterpret_cast<Bytef *>(compressedBuffer.data());
      stream.avail_in = chunk;
    }
    int status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_STREAM_END && stream.avail_out > 0)
      return fail(name + ": truncated compressed data");
    if (status != Z_OK && status != Z_STREAM_END)
      return fail(name + ": corrupt compressed data");
  }
  return Error::success();
}

/// Finds member `key` (the only one when empty) of the .npz `path` and
/// leaves `file` at its data; returns the zip method and stored size.
static Expected<std::pair<uint16_t, uint64_t>>
seekNpzMember(std::ifstream &file, StringRef path, StringRef key) {
  std::vector<std::string> names;
  std::optional<std::pair<uint16_t, uint64_t>> found;
  std::streamoff foundAt = 0;
  while (true) {
    char fixed[30];
    file.read(fixed, 30);
    if (file.gcount() != 30 || le32(StringRef(fixed, 30), 0) != 0x04034b50)
      break;
    StringRef h(fixed, 30);
    uint16_t flags = le16(h, 6), method = le16(h, 8);
    uint64_t compressed = le32(h, 18);
    std::string name(le16(h, 26), '\0'), extra(le16(h, 28), '\0');
    file.read(name.data(), name.size());
    file.read(extra.data(), extra.size());
    if (!file)
      return fail(path + ": truncated zip entry");
    for (size_t e = 0; e + 4 <= extra.size();) {
      uint16_t id = le16(extra, e), len = le16(extra, e + 2);
      if (id == 0x0001 && len >= 16 && e + 4 + len <= extra.size())
        compressed = le64(extra, e + 12);
      e += 4 + len;
    }
    if (flags & 0x8)
      return fail(path + ": zip entries with trailing data descriptors are "
                         "not supported");
    StringRef member = StringRef(name);
    member.consume_back(".npy");
    names.push_back(member.str());
    if (member == key || key.empty()) {
      found = std::make_pair(method, compressed);
      foundAt = file.tellg();
    }
    file.seekg(compressed, std::ios::cur);
  }
  if (names.empty())
    return fail(path + ": not an .npz archive (no arrays found)");
  std::string list = llvm::join(names, ", ");
  if (key.empty() && names.size() != 1)
    return fail(path + " holds several arrays (" + list + "); name one as " +
                path + ":<key>");
  if (!found)
    return fail(path + " has no array '" + key + "' (it has: " + list + ")");
  if (found->first != 0 && found->first != 8)
    return fail(path + ": unsupported zip compression method " +
                Twine(found->first));
  file.clear();
  file.seekg(foundAt);
  return *found;
}

Expected<std::unique_ptr<NumpySampleReader>>
NumpySampleReader::open(StringRef spec) {
  std::unique_ptr<NumpySampleReader> reader(new NumpySampleReader());
  auto [path, key] = spec.rsplit(':');
  bool npz = spec.contains(".npz");
  if (!npz || !path.ends_with(".npz")) {
    path = spec;
    key = "";
  }
  reader->name = npz && !key.empty() ? spec.str() : path.str();
  reader->file.open(path.str(), std::ios::binary);
  if (!reader->file)
    return fail("cannot read '" + path + "': " +
                std::error_code(errno, std::generic_category()).message());
  if (npz) {
    auto member = seekNpzMember(reader->file, path, key);
    if (!member)
      return member.takeError();
    reader->remaining = member->second;
    if (member->first == 8) {
      reader->compressedBuffer.resize(1 << 16);
      auto stream = std::make_unique<z_stream>();
      if (inflateInit2(stream.get(), -MAX_WBITS) != Z_OK)
        return fail(reader->name + ": cannot inflate");
      reader->inflater = std::move(stream);
    }
  } else {
    reader->file.seekg(0, std::ios::end);
    reader->remaining = reader->file.tellg();
    reader->file.seekg(0);
  }
  // The header: a fixed preamble that gives its length, then the rest.
  std::string header(kNpyPreamble, '\0');
  if (reader->remaining < kNpyPreamble && !reader->inflater)
    return fail(reader->name + ": not a .npy file (bad magic)");
  if (auto err = reader->readRaw(header.data(), kNpyPreamble))
    return std::move(err);
  size_t end = npyHeaderEnd(header);
  if (end < kNpyPreamble)
    return fail(reader->name + ": not a .npy file (bad magic)");
  header.resize(end);
  if (auto err =
          reader->readRaw(header.data() + kNpyPreamble, end - kNpyPreamble))
    return std::move(err);
  auto dataAt = parseNpyHeader(header, reader->name, reader->info);
  if (!dataAt)
    return dataAt.takeError();
  if (reader->info.shape.empty())
    return fail(reader->name + ": a 0-d array has no samples");
  return reader;
}

Error NumpySampleReader::readNext(int64_t count, NumpyArray &out) {
  count = std::min(count, numSamples() - next);
  out.dtype = info.dtype;
  out.shape = info.shape;
  out.shape[0] = count;
  out.data.resize(out.numElements() * out.elementSize());
  if (auto err = readRaw(out.data.data(), out.data.size()))
    return err;
  next += count;
  return Error::success();
}
