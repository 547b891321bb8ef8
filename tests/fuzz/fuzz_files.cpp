#include "tests/fuzz/fuzz_files.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace graft::fuzz {

namespace fs = std::filesystem;

namespace {

// Memory-backed when /dev/shm exists: every input rewrites a dozen files, and a disk file
// system's writeback on truncate would dominate the run time.
fs::path scratch_parent() {
  std::error_code ec;
  return fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
}

struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string name = (scratch_parent() / "graft-fuzz-XXXXXX").string();
    if (!::mkdtemp(name.data())) throw std::runtime_error("cannot create a scratch directory in " + name);
    path = name;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

const fs::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

void write_file(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_part(const fs::path& path, const std::vector<std::string_view>& parts, size_t index) {
  if (index < parts.size()) {
    write_file(path, parts[index]);
  } else {
    std::error_code ignored;
    fs::remove(path, ignored);
  }
}

std::vector<std::string_view> split_parts(const uint8_t* data, size_t size, size_t max_parts) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    const size_t end = all.find(kPartSeparator, start);
    if (end == std::string_view::npos) break;
    parts.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  parts.push_back(all.substr(start));
  return parts;
}

}  // namespace graft::fuzz
