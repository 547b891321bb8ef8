// The HTML results page on hand-made metrics: the table's numbers, best and significance marks,
// the verdicts, each trial's provenance, figures embedded byte for byte, nothing fetched from the
// network, and a page (saying why) when the plot script fails. A fake plot script stands in for
// scripts/plot.py, so these tests need no Python; tests/scripts/test_results_page.py renders a
// real page in Chromium.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/archive/iterators/binary_from_base64.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <filesystem>

#include "experiments/report.h"
#include "graph_io/build_info.h"
#include "graph_io/errors.h"
#include "tests/experiments/report_runs.h"

namespace graft {
namespace {

namespace fs = std::filesystem;
using testing::format;
using testing::make_runs;

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// Three figures whose sizes are 0, 1 and 2 modulo 3, so every base64 padding case is embedded.
const std::vector<std::pair<std::string, std::string>> kFigures = {
    {"table_adapt_curves.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\"/>"},
    {"table_cold_start.mrr_comparison.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\"> </svg>"},
    {"table_other.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"><g/></svg>"},
};

// A stand-in for plot.py: checks its arguments, writes kFigures into -o and prints their paths.
std::string fake_plot_script(const testing::TempDir& dir) {
  std::string script = "#!/bin/sh\nset -e\n[ \"$2\" = --report ] && [ -s \"$3\" ] && [ \"$6\" = --format ] && [ \"$7\" = svg ]\n"
                       "mkdir -p \"$5\"\n";
  for (const auto& [name, svg] : kFigures) {
    script += "printf '%s' '" + svg + "' > \"$5/" + name + "\"\necho \"$5/" + name + "\"\n";
  }
  const std::string path = dir.write("fake_plot.sh", script);
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

std::string decode_base64(std::string text) {
  namespace it = boost::archive::iterators;
  using Decoder = it::transform_width<it::binary_from_base64<std::string::const_iterator>, 8, 6>;
  const size_t padding = static_cast<size_t>(std::count(text.begin(), text.end(), '='));
  std::replace(text.begin(), text.end(), '=', 'A');
  std::string bytes(Decoder(text.begin()), Decoder(text.end()));
  return bytes.substr(0, bytes.size() - padding);
}

// The decoded figures of a page, in page order.
std::vector<std::string> embedded_figures(const std::string& page) {
  const std::string prefix = "src=\"data:image/svg+xml;base64,";
  std::vector<std::string> out;
  for (size_t at = page.find(prefix); at != std::string::npos; at = page.find(prefix, at + 1)) {
    const size_t begin = at + prefix.size();
    out.push_back(decode_base64(page.substr(begin, page.find('"', begin) - begin)));
  }
  return out;
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST(HtmlReport, TableMarksTheBestAndTheSignificantDifferences) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const ScopedEnv script("GRAFT_PLOT_SCRIPT", fake_plot_script(dir));
  const std::string page = exp::make_report(runs, format("html", "target_only"));
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(page, "<table class=\"sortable results\">")) << page;
  EXPECT_TRUE(contains(page, "<th>hr@5</th><th>hr@10</th><th>mrr</th>")) << page;
  // target_only: best hr@10 (0.9 against 0.6); finetune: best mrr, hr@10 significantly lower
  // (−0.3, p = 0.0351), mrr higher but not significantly (+0.3, p = 0.0955).
  EXPECT_TRUE(contains(page, "<td data-sort=\"0.9000\"><strong>0.9000</strong> ± 0.0000</td>")) << page;
  EXPECT_TRUE(contains(page, "<td data-sort=\"0.6000\">0.6000 ± 0.1000 <span class=\"down\">▼</span><br><small>-0.3000, p=0.0351</small></td>")) << page;
  EXPECT_TRUE(contains(page, "<td data-sort=\"0.5000\"><strong>0.5000</strong> ± 0.2646<br><small>+0.3000, p=0.0955</small></td>")) << page;
  EXPECT_TRUE(contains(page, "6 of 6 trials complete")) << page;
}

// finetune − target_only on mrr: 0.2, 0.2, 0.5 (mean 0.3, std √0.03 = 0.1732).
TEST(HtmlReport, VerdictsPerRowOverSeeds) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const ScopedEnv script("GRAFT_PLOT_SCRIPT", fake_plot_script(dir));
  const std::string page = exp::make_report(runs, format("html", "target_only"));
  EXPECT_TRUE(contains(page, "<td class=\"text\">finetune</td><td class=\"text\">mrr (cold-start users)</td>"
                             "<td data-sort=\"0.3000\">+0.3000 ± 0.1732</td><td class=\"text\"><span class=\"up\">"
                             "positive transfer</span>, above in 3 of 3 seeds</td>")) << page;
}

TEST(HtmlReport, ProvenanceOfEveryTrialAndTheConfiguration) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const ScopedEnv script("GRAFT_PLOT_SCRIPT", fake_plot_script(dir));
  const std::string page = exp::make_report(runs, format("html"));
  for (const auto& entry : fs::directory_iterator(runs)) {
    if (entry.is_directory()) EXPECT_TRUE(contains(page, "<code>" + entry.path().filename().string() + "</code>")) << entry.path();
  }
  EXPECT_TRUE(contains(page, std::string("<td class=\"text\">") + GRAFT_VERSION + "</td><td class=\"text\">" + io::git_commit() + "</td>")) << page;
  EXPECT_TRUE(contains(page, "<td class=\"text\">generated two-platform seed 0</td>")) << page;
  EXPECT_TRUE(contains(page, "<tr><td>adapt.epochs</td><td class=\"text\">3</td></tr>")) << page;
  EXPECT_TRUE(contains(page, "<tr><td>method</td><td class=\"text\">target_only, finetune</td></tr>")) << page;
}

TEST(HtmlReport, SectionsForTheOtherVaryingKeys) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir, "  zip:\n    source: [source, target]\n    target: [target, source]\n");
  const ScopedEnv script("GRAFT_PLOT_SCRIPT", fake_plot_script(dir));
  const std::string page = exp::make_report(runs, format("html", "target_only"));
  EXPECT_TRUE(contains(page, "<h3>source=source, target=target</h3>\n<table class=\"sortable results\">")) << page;
  EXPECT_TRUE(contains(page, "<h3>source=target, target=source</h3>\n<table class=\"sortable results\">")) << page;
  EXPECT_TRUE(contains(page, "<th>trial</th><th>method</th><th>setting</th><th>seed</th>")) << page;
  EXPECT_TRUE(contains(page, "<td class=\"text\">finetune</td><td class=\"text\">source=target, target=source</td><td>2</td>")) << page;
}

TEST(HtmlReport, SelfContainedWithFiguresEmbeddedByteForByte) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const ScopedEnv script("GRAFT_PLOT_SCRIPT", fake_plot_script(dir));
  const std::string page = exp::make_report(runs, format("html", "target_only"));
  // The comparison comes first, the other figures in the order the script drew them.
  EXPECT_EQ(embedded_figures(page), (std::vector<std::string>{kFigures[1].second, kFigures[0].second, kFigures[2].second}));
  for (const char* external : {"src=\"http", "href=\"http", "src=\"//", "<link", "@import", "url(http", "<script src"}) {
    EXPECT_FALSE(contains(page, external)) << external;
  }
  EXPECT_EQ(page, exp::make_report(runs, format("html", "target_only")));  // same runs, same bytes
}

TEST(HtmlReport, AFailingPlotScriptStillGivesThePageAndSaysWhy) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const std::string failing = dir.write("failing.sh", "#!/bin/sh\necho 'plot.py: data error: no matplotlib here' >&2\nexit 3\n");
  fs::permissions(failing, fs::perms::owner_all);
  {
    const ScopedEnv script("GRAFT_PLOT_SCRIPT", failing);
    const std::string page = exp::make_report(runs, format("html"));
    EXPECT_TRUE(contains(page, "Figures not drawn:</p><pre>" + failing + " exited with status 3:\nplot.py: data error: no matplotlib here")) << page;
    EXPECT_TRUE(contains(page, "<table class=\"sortable results\">"));
    EXPECT_TRUE(embedded_figures(page).empty());
  }
  const ScopedEnv script("GRAFT_PLOT_SCRIPT", dir.file("no_such_script.py"));
  EXPECT_TRUE(contains(exp::make_report(runs, format("html")), "no_such_script.py is not there"));
}

TEST(HtmlReport, BadOptionsAreTheTablesErrors) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  EXPECT_THROW(exp::make_report(runs, format("html", "target_onyl")), io::UsageError);
  EXPECT_THROW(exp::make_report(dir.file("nothing"), format("html")), io::DataError);
}

}  // namespace
}  // namespace graft
