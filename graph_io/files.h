// File helpers shared by every writer and importer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "graph_io/dataset.h"

namespace graft::io {

// Calls write(tmp_path) for a temporary path beside `path`, then renames it over `path`, so a
// crash or kill never leaves a half-written file. On any exception the temporary file is
// removed and the exception propagates.
void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write);

// Writes `contents` to `path` atomically.
void write_text_atomically(const std::string& path, const std::string& contents);

// Size and CRC-32 of a file, for provenance records. Throws DataError naming the file when it
// is missing, a directory, or unreadable.
SourceFile describe_file(const std::string& path);
// A CRC-32 as SourceFile::crc32 writes it: eight lowercase hex digits.
std::string format_crc32(uint32_t crc);

// The process's peak resident memory so far, in bytes (getrusage; 0 where unknown).
int64_t peak_resident_bytes();
// Memory the kernel says can be allocated without swapping (MemAvailable of /proc/meminfo), in
// bytes; the physical memory where that is unknown.
int64_t available_memory_bytes();

// Throws DataError naming the file unless it exists, is a regular file and is readable.
void require_readable_file(const std::string& path);

}  // namespace graft::io
