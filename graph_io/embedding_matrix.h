// Reading a 2-D float matrix of precomputed embeddings (one row per item, from a language or image
// model) from the files such models are saved in, as float32. Each reader checks the file's own
// description of the matrix (header, size, dataset type) and throws DataError naming the file.
// Values are not checked here: the importer names the row of a NaN or Inf.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft::io {

struct EmbeddingMatrix {
  int64_t rows = 0;
  int64_t width = 0;
  std::vector<float> values;  // [rows, width], row-major
};

// A NumPy .npy file (format version 1, 2 or 3): a C-ordered 2-D array of little-endian float32
// ('<f4') or float64 ('<f8', converted; values beyond float32 range become Inf).
EmbeddingMatrix read_npy_matrix(const std::string& path);

// True when the file starts with the .npy magic string.
bool is_npy_file(const std::string& path);

// Headerless little-endian float32 of `rows` rows: the width is the file size / 4 / rows, and the
// size must divide exactly.
EmbeddingMatrix read_raw_float32_matrix(const std::string& path, int64_t rows);

// A 2-D float32 or float64 dataset inside an HDF5 file, e.g. "/embeddings" of a file that h5py
// wrote.
EmbeddingMatrix read_hdf5_matrix(const std::string& path, const std::string& dataset);

}  // namespace graft::io
