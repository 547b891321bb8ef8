// Errors a user can cause, each with the exit code the `graft` command returns for it.
// Messages name the file and the line, key or HDF5 path that is wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace graft::io {

// Bad command-line usage or options: unknown format name, missing flag, bad value.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  static constexpr int kExitCode = 2;
};

// Bad data: unreadable or malformed file, ids out of range, schema mismatch.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  static constexpr int kExitCode = 3;
};

// "<file>:<line>: <what>" — the one format for a located text-file error.
[[noreturn]] void throw_at_line(const std::string& file, long long line, const std::string& what);

}  // namespace graft::io
