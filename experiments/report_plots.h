// The figures of a results page, drawn by scripts/plot.py as SVG into a temporary folder.
#pragma once

#include <string>
#include <vector>

namespace graft::exp {

struct Figure {
  std::string name;  // the file name plot.py gave it, e.g. quickstart_adapt_curves.svg
  std::string svg;
};

struct DrawnFigures {
  std::vector<Figure> figures;  // in the order plot.py wrote them
  std::string problem;          // why there are none (script missing or failed), else empty
};

// Runs the plot script (GRAFT_PLOT_SCRIPT in the environment, else the source tree's
// scripts/plot.py) on the runs directory and on `report_json` (graft report --format json) for
// the method comparison. A failure is returned as `problem`, with the end of the script's output,
// never thrown: the page is worth having without its pictures.
DrawnFigures draw_figures(const std::string& runs_dir, const std::string& report_json);

}  // namespace graft::exp
