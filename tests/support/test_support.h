// Helpers shared by every test suite: temporary directories, the shared data folder, and the
// path of the built `graft` binary for end-to-end command tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace graft::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `contents` to `name` inside the directory and returns its path.
  std::string write(const std::string& name, const std::string& contents) const;

 private:
  std::filesystem::path path_;
};

// ../shared/data/<relative>, or "" when the shared folder is absent (tests then skip).
std::string shared_data(const std::string& relative);

// The whole file, bytes as they are ("" when it cannot be read).
std::string slurp(const std::filesystem::path& path);

// Runs `graft <args>` and returns its exit code; stdout+stderr go to *output when given.
int run_graft(const std::string& args, std::string* output = nullptr);

// The same with environment variables set for it: `env` is "NAME=value NAME=value".
int run_graft_with_env(const std::string& env, const std::string& args, std::string* output = nullptr);

}  // namespace graft::testing

// Skips the current test unless ../shared/data/<relative> exists; binds its path to `var`.
#define GRAFT_REQUIRE_SHARED_DATA(var, relative)                                   \
  const std::string var = ::graft::testing::shared_data(relative);                 \
  if (var.empty()) GTEST_SKIP() << "../shared/data/" << (relative) << " not present"
