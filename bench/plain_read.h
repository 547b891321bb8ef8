// The baseline the import benchmarks measure against: a plain sequential read of the file,
// every byte read (256 KiB at a time) and its lines counted.
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

}  // namespace graft::bench
