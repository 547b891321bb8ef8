// Scratch files for the fuzz targets: a private directory per process, removed at exit, and the
// split of one fuzz input into the several files an importer reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace graft::fuzz {

// The process's scratch directory, created on first use.
const std::filesystem::path& scratch_dir();

// Writes `bytes` to `path`, creating its folder.
void write_file(const std::filesystem::path& path, std::string_view bytes);

// Writes part `index` of `parts` to `path`, or removes `path` when there is no such part.
void write_part(const std::filesystem::path& path, const std::vector<std::string_view>& parts, size_t index);

// The input cut at NUL bytes into at most `max_parts` parts; the last part keeps the rest.
std::vector<std::string_view> split_parts(const uint8_t* data, size_t size, size_t max_parts);

// The byte that separates the parts of one input (seed files are built with it).
inline constexpr char kPartSeparator = '\0';

}  // namespace graft::fuzz
