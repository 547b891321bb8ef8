// Starting a child program and waiting for it, its output to a file: the sweep's trial processes
// and the report's plot script.
#pragma once

#include <string>
#include <vector>

namespace graft::exp {

struct ChildExit {
  bool exited = false;  // false: killed by `signal` (or could not start: status 127)
  int status = 0, signal = 0;

  bool ok() const { return exited && status == 0; }
  std::string describe() const;  // "exited with status 3", "was killed by signal 9"
};

// Runs argv[0] (a path, not looked up on the PATH) with stdout and stderr written to
// `output_path` (truncated) and waits for it. The child dies with this process. std::runtime_error
// when fork fails; an exec failure is the child's status 127.
ChildExit run_child(const std::vector<std::string>& argv, const std::string& output_path);

// The last `n` lines of `text` (a child's output), for messages about how it ended.
std::vector<std::string> last_lines(const std::string& text, size_t n);

}  // namespace graft::exp
