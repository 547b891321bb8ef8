#include "experiments/report_plots.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiments/child_process.h"
#include "experiments/runner.h"

namespace graft::exp {

namespace {

namespace fs = std::filesystem;

std::string plot_script() {
  const char* from_environment = std::getenv("GRAFT_PLOT_SCRIPT");
  return from_environment != nullptr && *from_environment != '\0' ? from_environment : GRAFT_PLOT_SCRIPT;
}

// A fresh private folder under the temporary directory, removed with everything in it at scope end.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (fs::temp_directory_path() / "graft-report-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a folder under " + pattern);
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The end of the script's output, for the page's note on why there are no figures.
std::string output_end(const std::string& log) {
  std::string out;
  for (const std::string& line : last_lines(log, 6)) out += line + "\n";
  return out;
}

}  // namespace

DrawnFigures draw_figures(const std::string& runs_dir, const std::string& report_json) {
  const std::string script = plot_script();
  if (!fs::exists(script)) return {{}, "the plot script " + script + " is not there (set GRAFT_PLOT_SCRIPT)"};
  TemporaryFolder folder;
  const std::string report_path = folder.path() + "/report.json", out = folder.path() + "/plots";
  std::ofstream(report_path) << report_json;
  const std::string log_path = folder.path() + "/plot.log";
  const ChildExit exit = run_child({script, runs_dir, "--report", report_path, "-o", out, "--format", "svg"}, log_path);
  const std::string log = read_text(log_path);
  if (!exit.ok()) return {{}, script + " " + exit.describe() + ":\n" + output_end(log)};
  DrawnFigures drawn;
  std::istringstream printed(log);  // plot.py prints each file it writes, in order
  for (std::string line; std::getline(printed, line);) {
    if (line.rfind(out + "/", 0) == 0 && fs::exists(line)) {
      drawn.figures.push_back({fs::path(line).filename().string(), read_text(line)});
    }
  }
  if (drawn.figures.empty()) drawn.problem = script + " drew nothing:\n" + output_end(log);
  return drawn;
}

}  // namespace graft::exp
