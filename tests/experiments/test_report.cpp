// Reports on hand-made metrics: mean ± sample std, best marking, sections, paired t-tests,
// byte-identical output, the JSON form; and the Student-t machinery against known values.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "experiments/report.h"
#include "experiments/report_reproduction.h"
#include "experiments/report_sources.h"
#include "experiments/significance.h"
#include "graph_io/errors.h"
#include "tests/experiments/fake_trials.h"
#include "tests/experiments/report_runs.h"

namespace graft {
namespace {

using testing::format;
using testing::make_runs;

TEST(Report, MeanStdBestAndPairedTestInMarkdown) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const std::string md = exp::make_report(runs, format("md", "target_only"));
  EXPECT_NE(md.find("| method | n | hr@5 | hr@10 | mrr |"), std::string::npos) << md;
  EXPECT_NE(md.find("| target_only | 3 | **0.4500** ± 0.0000 | **0.9000** ± 0.0000 | 0.2000 ± 0.1000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| finetune | 3 | 0.3000 ± 0.0500 | 0.6000 ± 0.1000 | **0.5000** ± 0.2646 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| finetune | 3 | -0.1500 (p=0.0351) | -0.3000 (p=0.0351) | +0.3000 (p=0.0955) |"), std::string::npos) << md;
  EXPECT_NE(md.find("- adapt.epochs: 3"), std::string::npos) << md;
  EXPECT_NE(md.find("- varying: method, seed"), std::string::npos) << md;
  EXPECT_NE(md.find("6 of 6 trials complete"), std::string::npos) << md;
}

// The same table as data: per-seed values, mean, sample std and the paired test.
TEST(Report, JsonCarriesValuesStatsAndTheTest) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  exp::ReportOptions o = format("json", "target_only");
  o.metrics = {"cold_start.mrr"};
  const nlohmann::json report = nlohmann::json::parse(exp::make_report(runs, o));
  EXPECT_EQ(report.at("experiment"), "table");
  EXPECT_EQ(report.at("baseline"), "target_only");
  EXPECT_EQ(report.at("columns"), nlohmann::json::array({"cold_start.mrr"}));
  ASSERT_EQ(report.at("sections").size(), 1u);
  const nlohmann::json& rows = report.at("sections")[0].at("rows");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("label"), "target_only");
  EXPECT_FALSE(rows[0].at("metrics").at("cold_start.mrr").contains("vs_baseline"));
  const nlohmann::json& finetune = rows[1].at("metrics").at("cold_start.mrr");
  EXPECT_EQ(finetune.at("n"), 3);
  EXPECT_NEAR(finetune.at("mean").get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(finetune.at("std").get<double>(), std::sqrt(0.07), 1e-12);
  EXPECT_EQ(finetune.at("values")[2].at("seed"), 2);
  EXPECT_NEAR(finetune.at("values")[2].at("value").get<double>(), 0.8, 1e-12);
  EXPECT_EQ(finetune.at("vs_baseline").at("pairs"), 3);
  EXPECT_NEAR(finetune.at("vs_baseline").at("difference").get<double>(), 0.3, 1e-12);
  EXPECT_NEAR(finetune.at("vs_baseline").at("p").get<double>(), 1.0 - 3.0 / std::sqrt(11.0), 1e-9);
}

TEST(Report, CsvAndLatexMarkTheBest) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  exp::ReportOptions csv = format("csv");
  csv.metrics = {"mrr", "warm.mrr"};
  EXPECT_EQ(exp::make_report(runs, csv),
            "method,n,cold_start:mrr mean,cold_start:mrr std,warm:mrr mean,warm:mrr std\n"
            "target_only,3,0.2000,0.1000,0.1000,0.0500\n"
            "finetune,3,0.5000*,0.2646,0.2500*,0.1323\n");
  const std::string latex = exp::make_report(runs, format("latex"));
  EXPECT_NE(latex.find("finetune & 3 & $0.3000 \\pm 0.0500$ & $0.6000 \\pm 0.1000$ & $\\textbf{0.5000} \\pm 0.2646$ \\\\"),
            std::string::npos)
      << latex;
  EXPECT_NE(latex.find("target\\_only"), std::string::npos);
}

TEST(Report, ByteIdenticalForTheSameRunsAndForParallelRuns) {
  testing::TempDir dir;
  const std::string serial = make_runs(dir, "", 1, "serial");
  const std::string parallel = make_runs(dir, "", 2, "parallel");
  for (const char* f : {"md", "csv", "latex"}) {
    const std::string a = exp::make_report(serial, format(f, "target_only"));
    EXPECT_EQ(a, exp::make_report(serial, format(f, "target_only")));
    std::string b = exp::make_report(parallel, format(f, "target_only"));
    EXPECT_EQ(a, b) << f;
  }
}

TEST(Report, OtherVaryingKeysSplitSections) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir, "  zip:\n    source: [source, target]\n    target: [target, source]\n");
  const std::string md = exp::make_report(runs, format("md"));
  EXPECT_NE(md.find("### source=source, target=target"), std::string::npos) << md;
  EXPECT_NE(md.find("### source=target, target=source"), std::string::npos) << md;
  const std::string csv = exp::make_report(runs, format("csv"));
  EXPECT_EQ(csv.rfind("source,target,method,n,", 0), 0u) << csv;
  EXPECT_NE(csv.find("\ntarget,source,finetune,3,"), std::string::npos) << csv;
  exp::ReportOptions by_source = format("md");
  by_source.rows = "source";
  EXPECT_NE(exp::make_report(runs, by_source).find("### method=finetune"), std::string::npos);
}

TEST(Report, BadOptionsNameTheValidOnes) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  exp::ReportOptions o = format("md", "target_onyl");
  EXPECT_THROW(exp::make_report(runs, o), io::UsageError);
  o = format("xml");
  EXPECT_THROW(exp::make_report(runs, o), io::UsageError);
  o = format("md");
  o.metrics = {"cold_start.auc"};
  try {
    exp::make_report(runs, o);
    FAIL();
  } catch (const io::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("cold_start metrics: hr@5, hr@10, mrr"), std::string::npos) << e.what();
  }
  o.metrics.clear();
  o.rows = "mehtod";
  EXPECT_THROW(exp::make_report(runs, o), io::UsageError);
  EXPECT_THROW(exp::make_report(dir.file("nothing"), format("md")), io::DataError);
}

TEST(Significance, IncompleteBetaAndStudentTAgainstKnownValues) {
  EXPECT_NEAR(exp::regularized_incomplete_beta(0.5, 2.0, 3.0), 0.6875, 1e-12);
  EXPECT_NEAR(exp::regularized_incomplete_beta(0.3, 2.5, 1.0), std::pow(0.3, 2.5), 1e-12);  // I_x(a, 1) = x^a
  EXPECT_NEAR(exp::regularized_incomplete_beta(0.9, 0.5, 0.5), 2.0 / M_PI * std::asin(std::sqrt(0.9)), 1e-12);
  EXPECT_DOUBLE_EQ(exp::student_t_cdf(0.0, 7.0), 0.5);
  EXPECT_NEAR(exp::student_t_cdf(1.0, 1.0), 0.75, 1e-12);                                  // Cauchy
  EXPECT_NEAR(exp::student_t_cdf(3.0, 2.0), 0.5 + 0.5 * 3.0 / std::sqrt(11.0), 1e-12);     // closed form, df 2
  EXPECT_NEAR(exp::student_t_cdf(2.228138852, 10.0), 0.975, 1e-7);                          // t table
  EXPECT_NEAR(exp::student_t_cdf(-2.570581836, 5.0), 0.025, 1e-7);
  EXPECT_NEAR(exp::student_t_cdf(2.0, 5.0), 0.94903026, 1e-7);
}

TEST(Significance, PairedTTest) {
  const auto test = exp::paired_t_test({0.3, 0.4, 0.8}, {0.1, 0.2, 0.3});
  ASSERT_TRUE(test);
  EXPECT_NEAR(test->mean_difference, 0.3, 1e-12);
  EXPECT_NEAR(test->t, 3.0, 1e-9);
  EXPECT_NEAR(test->p, 1.0 - 3.0 / std::sqrt(11.0), 1e-9);
  EXPECT_EQ(test->n, 3);
  EXPECT_FALSE(exp::paired_t_test({0.3}, {0.1}));
  EXPECT_DOUBLE_EQ(exp::paired_t_test({1.5, 2.5}, {0.5, 1.5})->p, 0.0);  // a constant difference
  EXPECT_DOUBLE_EQ(exp::paired_t_test({0.3, 0.4}, {0.3, 0.4})->p, 1.0);
}

}  // namespace
}  // namespace graft

namespace graft {
namespace {

// overall ndcg@10 of (method, source list) over seeds 0, 1, 2: joint with `a` alone is 0.10 above
// target_only on every seed (p = 1 − t/√(t² + 2) = 0.0033 for t = 17.32 with 2 df), with `b`
// alone 0.05 below (t = −8.66, p = 0.0131); with both, leaving `a` out loses 0.13 (p = 0.0020)
// and leaving `b` out gains 0.02 (t = −3.46, p = 0.0742: not significant).
const std::map<std::string, std::vector<double>> kBySources = {
    {"target_only", {0.20, 0.21, 0.22}}, {"joint a", {0.30, 0.32, 0.31}},
    {"joint b", {0.15, 0.17, 0.16}},     {"joint a,b", {0.28, 0.29, 0.30}}};

exp::TrialFunction source_trials() {
  return [](const exp::ResolvedTrial& t) {
    const std::string method = t.trial->settings.at("method").value.get<std::string>();
    const std::string source = t.trial->settings.at("source").value.get<std::string>();
    const int64_t seed = t.trial->settings.at("seed").value.get<int64_t>();
    const std::string key = method == "target_only" ? method : method + " " + source;
    transfer::TransferReport r;
    r.method = method;
    r.overall = {{"ndcg@10", kBySources.at(key)[static_cast<size_t>(seed)]}};
    if (source == "a,b" && method == "joint") r.source_weights = {{"a", 1.0}, {"b", 0.0}};
    return exp::TrialOutcome{exp::report_json(r), "", {}};
  };
}

TEST(SourceEffectsReport, EachSourceAloneAndLeftOutWithPairedTestsAndAVerdict) {
  testing::TempDir dir;
  const std::string yaml = "experiment.name: sources\ndata.generate: two-platform\ntarget: target\n"
                           "sweep:\n  grid:\n    method: [target_only, joint]\n    source: [a, b, 'a,b']\n"
                           "  seeds: [0, 1, 2]\n";
  exp::RunnerOptions o;
  o.runs_root = dir.file("runs");
  o.progress = false;
  const std::string runs =
      exp::run_sweep(exp::expand(exp::load_experiment(dir.write("sources.yaml", yaml), {})), o, source_trials()).dir;
  exp::ReportOptions options;
  options.source_effects = true;
  const std::string md = exp::make_source_effects_report(runs, options);
  EXPECT_NE(md.find("| a | +0.1000 (p=0.0033) | improves | +0.1300 (p=0.0020) | improves | 1.0000 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| b | -0.0500 (p=0.0131) | hurts | -0.0200 (p=0.0742) | neutral | 0.0000 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("Verdict (method joint): harmful sources: b"), std::string::npos) << md;

  options.metrics = {"ndcg@10"};
  EXPECT_THROW(exp::make_source_effects_report(runs, options), io::UsageError);
  options.metrics = {"overall.recall@20"};
  EXPECT_THROW(exp::make_source_effects_report(runs, options), io::UsageError);
}


// finetune's cold-start mrr over seeds: 0.3, 0.4, 0.8 (mean 0.5, std 0.2646); its history carries
// the same mrr at epochs 1 and 2.
TEST(ReproductionReport, ReferenceAgainstGraftsMeanAndStdWithDifferenceAndTimeRatio) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const std::string refs = dir.write("refs.yaml",
                                     "reproductions:\n"
                                     "  - model: finetune\n    match: {method: finetune}\n    metric: cold_start.mrr\n"
                                     "    reference: 0.45\n    reference_seconds: 1000\n    source: a paper\n"
                                     "  - model: finetune epoch 2\n    match: {method: finetune, adapt.epochs: 3}\n"
                                     "    metric: mrr\n    epoch: 2\n    reference: 0.5\n"
                                     "  - model: vib\n    match: {method: vib}\n    metric: cold_start.mrr\n"
                                     "    reference: 0.1\n");
  const std::string md = exp::make_reproduction_report(runs, refs, "md");
  EXPECT_NE(md.find("| finetune | cold_start.mrr | 0.4500 | 0.5000 ± 0.2646 (3) | +0.0500 | 0.1890 | "), std::string::npos) << md;
  EXPECT_NE(md.find("| finetune epoch 2 | epoch 2 mrr | 0.5000 | 0.5000 ± 0.2646 (3) | +0.0000 | 0.0000 | – |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| vib | cold_start.mrr | 0.1000 | no trials | – | – | – |"), std::string::npos) << md;
  EXPECT_NE(md.find("- a paper: finetune\n"), std::string::npos) << md;
  EXPECT_EQ(md.find("| finetune | cold_start.mrr | 0.4500 | 0.5000 ± 0.2646 (3) | +0.0500 | 0.1890 | – |"), std::string::npos)
      << "the first row has a time ratio";
  const std::string csv = exp::make_reproduction_report(runs, refs, "csv");
  EXPECT_NE(csv.find("finetune epoch 2,epoch 2 mrr,0.5000,0.5000,0.2646,3,0.0000,0.0000,"), std::string::npos) << csv;
}

// `graft train --json` outputs by glob: the best evaluated epoch (0.28 and 0.26: mean 0.27, std
// 0.0141) or the final test metrics, and the time per training epoch against the reference's.
TEST(ReproductionReport, TrainOutputsByGlobWithTheBestEpoch) {
  testing::TempDir dir;
  const auto train_json = [](double best, double last) {
    return "{\"test\": {\"recall@20\": " + std::to_string(last) + "}, \"seconds\": 100, "
           "\"seconds_per_training_epoch\": 0.5, \"history\": [{\"epoch\": 10, \"metrics\": {\"recall@20\": " +
           std::to_string(best) + "}}, {\"epoch\": 20, \"metrics\": {\"recall@20\": " + std::to_string(last) + "}}]}";
  };
  dir.write("lightgcn_seed0.json", train_json(0.28, 0.25));
  dir.write("lightgcn_seed1.json", train_json(0.26, 0.25));
  const std::string refs = dir.write("refs.yaml", "reproductions:\n  - model: LightGCN\n    files: " +
                                                      dir.file("lightgcn_seed*.json") +
                                                      "\n    metric: recall@20\n    epoch: best\n    reference: 0.2754\n"
                                                      "    reference_seconds_per_epoch: 2\n"
                                                      "  - model: LightGCN final\n    files: " +
                                                      dir.file("lightgcn_seed*.json") +
                                                      "\n    metric: test.recall@20\n    reference: 0.25\n");
  const std::string md = exp::make_reproduction_report(dir.file("no_runs_needed"), refs, "md");
  EXPECT_NE(md.find("| LightGCN | best epoch recall@20 | 0.2754 | 0.2700 ± 0.0141 (2) | -0.0054 | -0.3818 | 0.25 |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("| LightGCN final | test.recall@20 | 0.2500 | 0.2500 ± 0.0000 (2) | +0.0000 | – | – |"),
            std::string::npos) << md;
}

TEST(ReproductionReport, BadReferenceFilesNameTheFileAndLine) {
  testing::TempDir dir;
  const std::string runs = make_runs(dir);
  const auto error = [&](const std::string& yaml) {
    try {
      exp::make_reproduction_report(runs, dir.write("bad.yaml", yaml), "md");
    } catch (const io::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head = "reproductions:\n  - model: m\n    match: {method: finetune}\n";
  EXPECT_NE(error(head + "    metric: cold_start.mrr\n    referenec: 0.1\n").find("bad.yaml:5: unknown key 'referenec'"),
            std::string::npos) << error(head + "    metric: cold_start.mrr\n    referenec: 0.1\n");
  EXPECT_NE(error(head + "    metric: mrr\n    reference: 0.1\n").find("bad.yaml:4: 'metric' is group.metric"),
            std::string::npos);
  EXPECT_NE(error(head + "    metric: cold_start.mrr\n    reference: high\n").find("'reference' must be a number"),
            std::string::npos);
  EXPECT_NE(error("model: m\n").find("bad.yaml:1: expected a list under 'reproductions'"), std::string::npos);
  EXPECT_THROW(exp::make_reproduction_report(runs, dir.file("absent.yaml"), "md"), std::exception);
  EXPECT_THROW(exp::make_reproduction_report(runs, dir.write("ok.yaml", head + "    metric: mrr\n    epoch: 1\n    reference: 1\n"), "latex"),
               io::UsageError);
}

}  // namespace
}  // namespace graft
