// The dataset.h5 store: schema in graph_io/SCHEMA.md. Reads are schema-checked and name the
// file and HDF5 path of any problem; writes are atomic (temporary file, then rename).
#pragma once

#include <string>

#include "graph_io/dataset.h"

namespace graft::io {

// Files are written in kSchemaVersion; versions kOldestSchemaVersion..kSchemaVersion are read
// (version 1 files have no feature blocks).
inline constexpr int kSchemaVersion = 2;
inline constexpr int kOldestSchemaVersion = 1;

void write_dataset(const Dataset& dataset, const std::string& path);
Dataset read_dataset(const std::string& path);

}  // namespace graft::io
