#include "graph_io/files.h"

#include <sys/resource.h>
#include <unistd.h>

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "graph_io/errors.h"

namespace graft::io {

namespace fs = std::filesystem;

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const fs::path target(path);
  if (fs::is_directory(target)) throw DataError(path + ": is a directory, expected a file path");
  // A random suffix keeps concurrent writers (parallel trials) from sharing a temporary file.
  std::random_device rd;
  const std::string tmp = path + ".tmp." + std::to_string(rd());
  try {
    write(tmp);
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) throw DataError(path + ": cannot move the finished file into place: " + ec.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void write_text_atomically(const std::string& path, const std::string& contents) {
  write_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw DataError(path + ": cannot open for writing: " + std::strerror(errno));
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) throw DataError(path + ": write failed: " + std::strerror(errno));
  });
}

void require_readable_file(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw DataError(path + ": no such file");
  if (fs::is_directory(status)) throw DataError(path + ": is a directory, expected a file");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw DataError(path + ": cannot open for reading: " + std::strerror(errno));
}

SourceFile describe_file(const std::string& path) {
  require_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  // zlib's CRC-32 (the same checksum as boost::crc_32_type) is several times faster, which
  // matters because every imported file is checksummed.
  uLong crc = crc32(0L, Z_NULL, 0);
  std::vector<char> buffer(1 << 20);
  uint64_t size = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = in.gcount();
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(got));
    size += static_cast<uint64_t>(got);
  }
  return SourceFile{path, size, format_crc32(static_cast<uint32_t>(crc))};
}

std::string format_crc32(uint32_t crc) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc);
  return hex;
}

int64_t peak_resident_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

int64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kilobytes = 0;
  std::string unit;
  while (meminfo >> key >> kilobytes >> unit) {
    if (key == "MemAvailable:") return kilobytes * 1024;
  }
  return static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
}

}  // namespace graft::io
