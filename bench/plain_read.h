// The baseline the import benchmarks measure against: a plain sequential read of the file,
// every byte read (256 KiB at a time) and its lines counted; from the page cache, or from the
// disk after evict_from_page_cache.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace graft::bench {

// The lines of `path` (its '\n' bytes), read with read(2) into a reused buffer.
inline int64_t count_lines(const std::string& path) {
  static thread_local std::vector<char> buffer(1 << 18);
  const int fd = ::open(path.c_str(), O_RDONLY);
  int64_t lines = 0;
  for (ssize_t got; (got = ::read(fd, buffer.data(), buffer.size())) > 0;) {
    lines += std::count(buffer.data(), buffer.data() + got, '\n');
  }
  ::close(fd);
  return lines;
}

// Drops `path` from the page cache (written back first), so that the next read comes from the
// disk: the case of a large file imported once. Returns false where the kernel refused.
inline bool evict_from_page_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  const bool evicted = ::fsync(fd) == 0 && ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
  ::close(fd);
  return evicted;
}

}  // namespace graft::bench
