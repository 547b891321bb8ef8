// `graft sweep | run | report | transfer` end to end through the built binary. The tests marked
// "trains" run real transfer training (small: two-platform data, 1 epoch, dim 8).
#include <gtest/gtest.h>

#include <filesystem>

#include <fstream>

#include "tests/experiments/behaviour_data.h"
#include "tests/experiments/fake_trials.h"
#include "tests/support/test_support.h"
#include "transfer/option_rules.h"
#include "transfer/transfer.h"

namespace graft {
namespace {

using testing::run_graft;

const std::string kTiny =
    "experiment.name: tiny\ndata.generate: two-platform\nsource: source\ntarget: target\n"
    "encoder.dim: 8\npretrain: {epochs: 1, batch_size: 8192}\nadapt: {epochs: 1, batch_size: 4096}\n"
    "compare_to_target_only: false\n"
    "sweep:\n  grid:\n    method: [target_only, finetune]\n  seeds: [0, 1]\n";

TEST(CliExperiments, ConfigErrorsExitWithTheUsageCode) {
  testing::TempDir dir;
  const std::string file = dir.write("bad.yaml", "source: a\nsourse: b\n");
  std::string output;
  EXPECT_EQ(run_graft("sweep " + file + " --dry-run", &output), 2) << output;
  EXPECT_NE(output.find(file + ":2: unknown key 'sourse' (did you mean 'source'?)"), std::string::npos) << output;
  const std::string tiny = dir.write("tiny.yaml", kTiny);
  EXPECT_EQ(run_graft("sweep " + tiny + " --dry-run --shard 3/2", &output), 2) << output;
  EXPECT_EQ(run_graft("sweep " + tiny + " --dry-run --set data.path=" + dir.file("none.h5") + " --set data.generate=",
                      &output),
            3)
      << output;
  EXPECT_EQ(run_graft("sweep " + tiny + " --dry-run --shard 2/2", &output), 0) << output;
  EXPECT_NE(output.find("2 of 4 trials of 'tiny' in shard 2/2"), std::string::npos) << output;
  EXPECT_EQ(run_graft("keys", &output), 0);
  EXPECT_NE(output.find("adapt.epochs"), std::string::npos);
}

TEST(CliExperiments, KeysListsEveryTransferOption) {
  std::string output;
  ASSERT_EQ(run_graft("keys", &output), 0) << output;
  for (const transfer::OptionRule& rule : transfer::option_rules()) {
    EXPECT_NE(output.find("\n" + rule.key + " "), std::string::npos) << rule.key;
  }
  EXPECT_NE(output.find("\nexperiment.name "), std::string::npos);
}

// Trains. A sweep killed with kill -9 part-way and resumed with another --jobs gives the same
// files as an uninterrupted one; completed trials are skipped; the report is produced.
TEST(CliExperiments, KilledSweepResumesToIdenticalResults) {
  testing::TempDir dir;
  const std::string file = dir.write("tiny.yaml", kTiny);
  std::string output;
  ASSERT_EQ(run_graft("sweep " + file + " --runs " + dir.file("clean"), &output), 0) << output;
  const std::string killed = "sh -c '" + std::string(GRAFT_BINARY) + " sweep " + file + " --runs " + dir.file("resumed") +
                             " >/dev/null 2>&1 & pid=$!; sleep 2; kill -9 $pid; wait $pid'";
  EXPECT_NE(std::system(killed.c_str()), -1);
  ASSERT_EQ(run_graft("sweep " + file + " --jobs 2 --runs " + dir.file("resumed"), &output), 0) << output;
  EXPECT_EQ(testing::deterministic_files(dir.file("resumed")), testing::deterministic_files(dir.file("clean")));
  ASSERT_EQ(run_graft("sweep " + file + " --runs " + dir.file("clean"), &output), 0) << output;
  EXPECT_NE(output.find("0 trials run, 4 already done"), std::string::npos) << output;
  ASSERT_EQ(run_graft("report " + dir.file("clean/tiny") + " --format md -o " + dir.file("table.md"), &output), 0) << output;
  const std::string table = testing::slurp(dir.file("table.md"));
  EXPECT_NE(table.find("| finetune | 2 |"), std::string::npos) << table;
  EXPECT_NE(table.find("## Data"), std::string::npos) << table;
}

// Trains. `graft run` runs the first trial into the same runs directory and prints its report.
TEST(CliExperiments, RunPrintsTheFirstTrialsReport) {
  testing::TempDir dir;
  const std::string file = dir.write("tiny.yaml", kTiny);
  std::string output;
  ASSERT_EQ(run_graft("run " + file + " --runs " + dir.file("runs"), &output), 0) << output;
  EXPECT_NE(output.find("target_only"), std::string::npos) << output;
  ASSERT_EQ(run_graft("sweep " + file + " --runs " + dir.file("runs") + " --jobs 2 --set verbose=true", &output), 0)
      << output;
  EXPECT_NE(output.find("3 trials run, 1 already done"), std::string::npos) << output;
  // verbose is not part of a trial's identity (the trials above were already done), yet it
  // reaches the trial processes: their logs carry the progress lines.
  int with_progress = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.file("runs"))) {
    if (entry.path().filename() == "log.txt") {
      with_progress += testing::slurp(entry.path()).find("adapt epoch 1/1") != std::string::npos;
    }
  }
  EXPECT_EQ(with_progress, 3);
}

// Trains. `graft transfer` through the same configuration layer, with the report as JSON.
TEST(CliExperiments, TransferPrintsAndWritesTheReport) {
  testing::TempDir dir;
  std::string output;
  ASSERT_EQ(run_graft("transfer --set data.generate=two-platform --source source --target target --method finetune "
                      "--set encoder.dim=8 --set pretrain.epochs=1 --set adapt.epochs=1 --set threads=2 --json " +
                          dir.file("report.json"),
                      &output),
            0)
      << output;
  const auto report = nlohmann::json::parse(testing::slurp(dir.file("report.json")));
  EXPECT_EQ(report["method"], "finetune");
  EXPECT_TRUE(report["cold_start"].is_object());
  EXPECT_EQ(run_graft("transfer --set data.generate=two-platform --source source --target target --method finetun", &output), 2);
  EXPECT_NE(output.find("did you mean 'finetune'"), std::string::npos) << output;
}

// Trains. Every registered method runs through the YAML entry point users call (`graft run`),
// on a tiny config, and reports cold-start metrics and its parameter counts.
TEST(CliExperiments, EveryRegisteredMethodRunsThroughGraftRun) {
  testing::TempDir dir;
  const std::string file = dir.write(
      "every.yaml",
      "experiment.name: every\ndata.generate: two-platform\nsource: source\ntarget: target\n"
      "encoder: {dim: 8, layer: gcn}\npretrain: {epochs: 1, batch_size: 8192}\n"
      "adapt: {epochs: 1, batch_size: 8192}\nmeta.meta_epochs: 1\nmapping.epochs: 5\n"
      "cdrib: {epochs: 1, dim: 8, eval_from: 1}\n"
      "compare_to_target_only: false\nthreads: 1\n");
  // Markets that share products and no customers, for the methods that need shared items.
  const std::string markets = dir.write(
      "markets.yaml",
      "include: " + file + "\nexperiment.name: markets\ndata.generate: multi-market\nsource: ca,uk,de\ntarget: jp\n"
      "split: loo\ndata.split: {kind: leave_one_out, negatives: 99}\n");
  for (const std::string& method : transfer::method_names()) {
    const bool items_only = method == "source_popularity" || method == "forec";
    std::string output;
    ASSERT_EQ(run_graft("run " + (items_only ? markets : file) + " --set method=" + method + " --runs " +
                            dir.file("runs_" + method), &output), 0)
        << method << "\n" << output;
    if (!items_only) {
      EXPECT_NE(output.find("cold-start"), std::string::npos) << method << "\n" << output;
    }
    EXPECT_NE(output.find("method " + method), std::string::npos) << method << "\n" << output;
  }
}

// Trains. Cross-market transfer through YAML: the target market jp with each source market
// alone, all three and all three less each, then the source-effects report. A market whose
// products are linked to the wrong ones cannot be made here, so the test checks the report's
// shape and arithmetic: every source has both effects, and the verdict line closes each section.
TEST(CliExperiments, SourceMarketsThroughYamlAndTheSourceEffectsReport) {
  testing::TempDir dir;
  const std::string file = dir.write(
      "markets.yaml",
      "experiment.name: markets\ndata.generate: multi-market\ntarget: jp\nsplit: loo\n"
      "data.split: {kind: leave_one_out, negatives: 99}\nencoder: {dim: 16}\n"
      "adapt: {epochs: 4, batch_size: 4096, lr: 0.01, eval_every: 2}\ncompare_to_target_only: false\n"
      "threads: 1\nks: [10]\nselection_metric: ndcg@10\n"
      "sweep:\n  grid:\n    method: [target_only, joint]\n"
      "    source: [ca, uk, de, 'ca,uk,de', 'uk,de', 'ca,de', 'ca,uk']\n  seeds: [0, 1]\n");
  std::string output;
  ASSERT_EQ(run_graft("sweep " + file + " --jobs 2 --runs " + dir.file("runs"), &output), 0) << output;
  ASSERT_EQ(run_graft("report " + dir.file("runs/markets") + " --source-effects --metrics overall.ndcg@10 -o " +
                          dir.file("effects.md"), &output), 0)
      << output;
  const std::string report = testing::slurp(dir.file("effects.md"));
  EXPECT_NE(report.find("#### method joint"), std::string::npos) << report;
  for (const char* market : {"| ca | ", "| uk | ", "| de | "}) EXPECT_NE(report.find(market), std::string::npos) << report;
  EXPECT_EQ(report.find("n/a"), std::string::npos) << report;  // two seeds pair every comparison
  EXPECT_NE(report.find("Verdict (method joint): "), std::string::npos) << report;

  // The JSON of a multi-source run names each source's weight.
  ASSERT_EQ(run_graft("transfer --set data.generate=multi-market --set data.split.kind=leave_one_out "
                      "--set data.split.negatives=99 --split loo --source ca,uk,de --target jp --method multi_source "
                      "--set multi_source.weights=equal --set adapt.epochs=1 --set encoder.dim=8 --set threads=1 "
                      "--set compare_to_target_only=false --json " + dir.file("multi.json"), &output), 0)
      << output;
  const auto json = nlohmann::json::parse(testing::slurp(dir.file("multi.json")));
  EXPECT_EQ(json["source_weights"], (nlohmann::json{{"ca", 0.25}, {"de", 0.25}, {"uk", 0.25}}));
  EXPECT_NE(output.find("source weights:"), std::string::npos) << output;
}

// Trains. Multi-behaviour transfer through YAML keys: views are carved into the source domain and
// purchases into the target (data.carve_behaviour). Views carry the next purchase (the held-out
// item is one the user viewed), which purchases alone cannot tell apart within a taste group.
TEST(CliExperiments, ViewsTransferToPurchasesThroughCarvedBehaviours) {
  testing::TempDir dir;
  const std::string data = testing::make_behaviour_dataset(dir);
  const std::string common = "transfer --set data.path=" + data + " --set data.carve_behaviour=buy --source shop "
                             "--target shop_buy --set protocol=full --set encoder.dim=16 --set pretrain.epochs=30 "
                             "--set pretrain.lr=0.05 --set adapt.epochs=10 --set adapt.lr=0.01 --set threads=1 "
                             "--set compare_to_target_only=false --set data.split.negatives=0 ";
  const auto run = [&](const std::string& args, const std::string& name) {
    std::string output;
    EXPECT_EQ(run_graft(common + args + " --json " + dir.file(name), &output), 0) << output;
    return nlohmann::json::parse(testing::slurp(dir.file(name)));
  };
  const auto finetune = run("--split given --method finetune", "finetune.json");
  const auto target_only = run("--split given --method target_only", "target_only.json");
  EXPECT_EQ(finetune["target"], "shop_buy");
  EXPECT_NE(finetune["bridges"].get<std::string>().find("40 shared users"), std::string::npos) << finetune["bridges"];
  EXPECT_EQ(finetune["warm_cases"], 40);
  EXPECT_GT(finetune["overall"]["hr@10"].get<double>(), target_only["overall"]["hr@10"].get<double>() + 0.15);

  // Cold-start buyers (a quarter of the users lose every purchase from training) are the
  // target's cold-start users: scored from their views, far above purchase popularity.
  const std::string cold = "--split cold --set data.split.kind=cold_start_buyers "
                           "--set data.split.cold_start_fraction=0.25 ";
  const auto cold_finetune = run(cold + "--method finetune", "cold_finetune.json");
  const auto cold_popularity = run(cold + "--method popularity", "cold_popularity.json");
  EXPECT_EQ(cold_finetune["cold_start_cases"], 5);
  EXPECT_GT(cold_finetune["cold_start"]["hr@10"].get<double>(),
            cold_popularity["cold_start"]["hr@10"].get<double>() + 0.3);
}

// Trains. The same run spelled as a fine-tuning mode and as a method gives the same report.
TEST(CliExperiments, TwoSpellingsOfOneRunReportTheSame) {
  testing::TempDir dir;
  const std::string common = "transfer --set data.generate=two-platform --source source --target target "
                             "--set encoder.dim=8 --set encoder.layer=gcn --set pretrain.epochs=1 --set adapt.epochs=1 "
                             "--set threads=1 --set compare_to_target_only=false --json ";
  std::string output;
  ASSERT_EQ(run_graft(common + dir.file("a.json") + " --method last_k", &output), 0) << output;
  ASSERT_EQ(run_graft(common + dir.file("b.json") + " --method finetune --set finetune.mode=last_k", &output), 0)
      << output;
  auto a = nlohmann::json::parse(testing::slurp(dir.file("a.json")));
  auto b = nlohmann::json::parse(testing::slurp(dir.file("b.json")));
  EXPECT_EQ(a["method"], "last_k");
  for (auto* report : {&a, &b}) {
    report->erase("phase_seconds");
    report->erase("peak_memory_mb");
    for (auto& epoch : (*report)["history"]) epoch.erase("seconds");
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(run_graft(common + dir.file("c.json") + " --method last_k --set finetune.mode=l2sp", &output), 2);
  EXPECT_NE(output.find("finetune.mode"), std::string::npos) << output;
}

}  // namespace
}  // namespace graft
