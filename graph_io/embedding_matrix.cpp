// Embedding matrices from .npy, raw float32 and HDF5 files. The hosts graft runs on are
// little-endian, so little-endian float32 on disk is read straight into the result.
#include "graph_io/embedding_matrix.h"

#include <H5Cpp.h>

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "graph_io/errors.h"
#include "graph_io/files.h"

namespace graft::io {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

uint64_t file_size(const std::string& path) {
  require_readable_file(path);
  return std::filesystem::file_size(path);
}

// rows x width values of `item_size` bytes, or "" when that is exactly `bytes`; else says why not.
std::string size_mismatch(uint64_t bytes, int64_t rows, int64_t width, uint64_t item_size) {
  const auto r = static_cast<uint64_t>(rows), w = static_cast<uint64_t>(width);
  const bool overflows = w != 0 && r > std::numeric_limits<uint64_t>::max() / item_size / w;
  if (!overflows && r * w * item_size == bytes) return "";
  return "holds " + std::to_string(bytes) + " bytes of data, but " + std::to_string(rows) + " x " +
         std::to_string(width) + " values of " + std::to_string(item_size) + " bytes need " +
         (overflows ? std::string("over 2^64") : std::to_string(r * w * item_size));
}

EmbeddingMatrix sized(int64_t rows, int64_t width) {
  EmbeddingMatrix m;
  m.rows = rows;
  m.width = width;
  m.values.resize(static_cast<size_t>(rows * width));
  return m;
}

void read_exactly(std::ifstream& in, const std::string& path, void* out, uint64_t bytes) {
  in.read(static_cast<char*>(out), static_cast<std::streamsize>(bytes));
  if (static_cast<uint64_t>(in.gcount()) != bytes) fail(path, "read failed or file shorter than expected");
}

// float64 → float32, with values beyond float32's range made ±Inf (a plain cast would be undefined)
// so that the importer's finite check reports them.
float to_float32(double x) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  if (std::fabs(x) > static_cast<double>(FLT_MAX) && !std::isnan(x)) return x > 0 ? kInf : -kInf;
  return static_cast<float>(x);
}

void read_float64_into(std::ifstream& in, const std::string& path, std::vector<float>& out) {
  std::vector<double> block(size_t{1} << 16);
  for (size_t done = 0; done < out.size();) {
    const size_t n = std::min(block.size(), out.size() - done);
    read_exactly(in, path, block.data(), n * sizeof(double));
    std::transform(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n),
                   out.begin() + static_cast<std::ptrdiff_t>(done), to_float32);
    done += n;
  }
}

// --- .npy ----------------------------------------------------------------------------------
// Magic "\x93NUMPY", major and minor version bytes, the header length (uint16 in version 1,
// uint32 in 2 and 3), then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1585, 512), }
// padded with spaces and a newline; the data follows.

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicSize = 6;
constexpr uint32_t kMaxNpyHeader = 1 << 20;  // real headers are ~100 bytes

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  uint64_t data_offset = 0;
};

// Where the value of 'key' starts in the header dict.
size_t npy_value(const std::string& path, const std::string& header, const std::string& key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) at = header.find("\"" + key + "\"");
  if (at == std::string::npos) fail(path, ".npy header lacks '" + key + "': " + header);
  at = header.find(':', at + key.size() + 2);
  if (at == std::string::npos) fail(path, ".npy header: no value for '" + key + "'");
  return header.find_first_not_of(" \t", at + 1);
}

std::string npy_string(const std::string& path, const std::string& header, const std::string& key) {
  const size_t at = npy_value(path, header, key);
  const size_t end = at == std::string::npos ? at : header.find(header[at], at + 1);
  if (end == std::string::npos || (header[at] != '\'' && header[at] != '"')) {
    fail(path, ".npy header: '" + key + "' is not a string");
  }
  return header.substr(at + 1, end - at - 1);
}

std::vector<int64_t> npy_shape(const std::string& path, const std::string& header) {
  const size_t at = npy_value(path, header, "shape");
  const size_t end = at == std::string::npos ? at : header.find(')', at);
  if (end == std::string::npos || header[at] != '(') fail(path, ".npy header: 'shape' is not a tuple");
  std::vector<int64_t> shape;
  const std::string inner = header.substr(at + 1, end - at - 1);
  for (size_t pos = 0; pos <= inner.size();) {
    const size_t comma = std::min(inner.find(',', pos), inner.size());
    const size_t b = inner.find_first_not_of(' ', pos);
    if (b < comma) {
      const size_t e = inner.find_last_not_of(' ', comma - 1) + 1;
      int64_t n = -1;
      const auto [p, ec] = std::from_chars(inner.data() + b, inner.data() + e, n);
      if (ec != std::errc() || p != inner.data() + e || n < 0) fail(path, ".npy header: bad shape (" + inner + ")");
      shape.push_back(n);
    }
    pos = comma + 1;
  }
  return shape;
}

NpyHeader read_npy_header(const std::string& path, std::ifstream& in) {
  unsigned char head[12] = {};
  in.read(reinterpret_cast<char*>(head), 10);
  if (in.gcount() != 10 || std::memcmp(head, kNpyMagic, kNpyMagicSize) != 0) fail(path, "not a .npy file");
  const int major = head[6];
  if (major < 1 || major > 3) fail(path, ".npy format version " + std::to_string(major) + " is not supported (1 to 3)");
  uint32_t length = head[8] | (head[9] << 8);
  uint64_t offset = 10;
  if (major >= 2) {
    in.read(reinterpret_cast<char*>(head + 10), 2);
    if (in.gcount() != 2) fail(path, "truncated .npy header");
    length |= (static_cast<uint32_t>(head[10]) << 16) | (static_cast<uint32_t>(head[11]) << 24);
    offset = 12;
  }
  if (length > kMaxNpyHeader) fail(path, ".npy header of " + std::to_string(length) + " bytes (damaged file?)");
  std::string text(length, '\0');
  read_exactly(in, path, text.data(), length);
  NpyHeader h;
  h.descr = npy_string(path, text, "descr");
  const size_t fortran = npy_value(path, text, "fortran_order");
  h.fortran_order = fortran != std::string::npos && text.compare(fortran, 4, "True") == 0;
  h.shape = npy_shape(path, text);
  h.data_offset = offset + length;
  return h;
}

}  // namespace

bool is_npy_file(const std::string& path) {
  char head[kNpyMagicSize] = {};
  std::ifstream(path, std::ios::binary).read(head, kNpyMagicSize);
  return std::memcmp(head, kNpyMagic, kNpyMagicSize) == 0;
}

EmbeddingMatrix read_npy_matrix(const std::string& path) {
  const uint64_t size = file_size(path);
  std::ifstream in(path, std::ios::binary);
  const NpyHeader h = read_npy_header(path, in);
  if (h.descr != "<f4" && h.descr != "<f8") {
    fail(path, ".npy dtype '" + h.descr + "' is not supported (little-endian float32 '<f4' or float64 '<f8')");
  }
  if (h.fortran_order) fail(path, ".npy array is in Fortran order; save it C-ordered (numpy.ascontiguousarray)");
  if (h.shape.size() != 2)
    fail(path, ".npy array has " + std::to_string(h.shape.size()) + " dimensions, expected 2 (rows, width)");
  const uint64_t item_size = h.descr == "<f4" ? 4 : 8;
  const uint64_t data_bytes = size >= h.data_offset ? size - h.data_offset : 0;
  if (const std::string why = size_mismatch(data_bytes, h.shape[0], h.shape[1], item_size); !why.empty()) {
    fail(path, ".npy data " + why);
  }
  EmbeddingMatrix m = sized(h.shape[0], h.shape[1]);
  if (item_size == 4) {
    read_exactly(in, path, m.values.data(), data_bytes);
  } else {
    read_float64_into(in, path, m.values);
  }
  return m;
}

EmbeddingMatrix read_raw_float32_matrix(const std::string& path, int64_t rows) {
  const uint64_t size = file_size(path);
  if (size == 0) fail(path, "empty file");
  if (rows <= 0 || size % 4 != 0 || (size / 4) % static_cast<uint64_t>(rows) != 0) {
    fail(path, "raw float32 file of " + std::to_string(size) + " bytes does not divide into " + std::to_string(rows) +
                   " rows (the row-id file's rows) of whole float32 values");
  }
  EmbeddingMatrix m = sized(rows, static_cast<int64_t>(size / 4 / static_cast<uint64_t>(rows)));
  std::ifstream in(path, std::ios::binary);
  read_exactly(in, path, m.values.data(), size);
  return m;
}

namespace {

bool link_exists(const H5::H5File& file, const std::string& path) {
  // One link at a time: H5Lexists fails on a missing intermediate group.
  for (size_t pos = 0; (pos = path.find('/', pos + 1)) != std::string::npos;) {
    if (H5Lexists(file.getId(), path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(file.getId(), path.c_str(), H5P_DEFAULT) > 0;
}

EmbeddingMatrix read_hdf5_dataset(const std::string& path, const H5::H5File& file, const std::string& name) {
  const std::string where = path + ": " + name;
  if (!link_exists(file, name)) throw DataError(where + ": no such dataset");
  if (H5Oexists_by_name(file.getId(), name.c_str(), H5P_DEFAULT) <= 0 || file.childObjType(name) != H5O_TYPE_DATASET) {
    throw DataError(where + ": not a dataset");
  }
  const H5::DataSet ds = file.openDataSet(name);
  const H5::DataType type = ds.getDataType();
  if (type.getClass() != H5T_FLOAT || (type.getSize() != 4 && type.getSize() != 8)) {
    throw DataError(where + ": expected float32 or float64 values");
  }
  const H5::DataSpace space = ds.getSpace();
  if (space.getSimpleExtentNdims() != 2) {
    throw DataError(where + ": expected a 2-dimensional array (rows, width), got " +
                    std::to_string(space.getSimpleExtentNdims()) + " dimensions");
  }
  hsize_t dims[2] = {0, 0};
  space.getSimpleExtentDims(dims);
  // Allocation follows the declared extent; a file that stores far fewer bytes is damaged.
  constexpr uint64_t kMaxExpansion = 1100;  // deflate expands at most about 1032-fold
  const uint64_t stored = H5Dget_storage_size(ds.getId());
  if (dims[0] != 0 && dims[1] > (stored * kMaxExpansion + 4096) / type.getSize() / dims[0]) {
    throw DataError(where + ": declares " + std::to_string(dims[0]) + " x " + std::to_string(dims[1]) +
                    " values but stores " + std::to_string(stored) + " bytes (damaged file)");
  }
  EmbeddingMatrix m = sized(static_cast<int64_t>(dims[0]), static_cast<int64_t>(dims[1]));
  // HDF5 converts float64 to float32 on the way in (beyond float32's range: Inf).
  if (!m.values.empty()) ds.read(m.values.data(), H5::PredType::NATIVE_FLOAT);
  return m;
}

}  // namespace

EmbeddingMatrix read_hdf5_matrix(const std::string& path, const std::string& dataset) {
  require_readable_file(path);
  if (dataset.empty()) throw UsageError(path + ": no HDF5 dataset path given (e.g. /embeddings)");
  H5::Exception::dontPrint();
  try {
    const H5::H5File file(path, H5F_ACC_RDONLY);
    return read_hdf5_dataset(path, file, dataset.front() == '/' ? dataset : "/" + dataset);
  } catch (const H5::Exception& e) {
    fail(path, "unreadable HDF5 (" + e.getDetailMsg() + ")");
  }
}

}  // namespace graft::io
