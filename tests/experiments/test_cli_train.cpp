// `graft train` end to end through the built binary: both protocols, model selection with and
// without a validation set, the JSON report, usage errors, and (when the shared data is present)
// the LastFM pipeline. Datasets are made with `graft data import | split`, like a user would.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/experiments/behaviour_data.h"
#include "tests/support/test_support.h"

namespace graft {
namespace {

using testing::run_graft;

// 40 users × 30 items in 2 taste groups, 8 interactions per user, imported through
// `graft data import` (split "given": 6 train + 2 test per user) and split again by ratio with
// a validation set and 5 sampled negatives per case (split "ratio").
std::string make_tiny_dataset(const testing::TempDir& dir) {
  std::string train, test;
  for (int u = 0; u < 40; ++u) {
    for (int k = 0; k < 8; ++k) {
      const std::string line = "u" + std::to_string(u) + ",i" + std::to_string((u % 2) * 15 + (u / 2 + k) % 15) + "\n";
      (k < 6 ? train : test) += line;
    }
  }
  const std::string path = dir.file("tiny.h5");
  std::string output;
  EXPECT_EQ(run_graft("data import --format csv " + dir.write("train.csv", train) + " " + dir.write("test.csv", test) +
                          " --column user=0 --column item=1 -o " + path,
                      &output),
            0)
      << output;
  EXPECT_EQ(run_graft("data split " + path + " --kind ratio --valid-ratio 0.2 --test-ratio 0.2 --negatives 5 --seed 0",
                      &output),
            0)
      << output;
  return path;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(CliTrain, SelectsOnValidationAndWritesTheReport) {
  testing::TempDir dir;
  const std::string data = make_tiny_dataset(dir);
  std::string output;
  ASSERT_EQ(run_graft("train --data " + data + " --domain main --split ratio --model lightgcn --layers 2 "
                      "--dim 8 --epochs 6 --batch-size 64 --lr 0.05 --eval-every 2 --threads 1 --protocol sampled --ks 5 10 "
                      "--json " +
                          dir.file("run.json") + " --checkpoint " + dir.file("best.pt"),
                      &output),
            0)
      << output;
  EXPECT_NE(output.find("epoch 6/6"), std::string::npos) << output;
  EXPECT_NE(output.find("(valid)"), std::string::npos) << output;
  const nlohmann::json run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["model"]["name"], "lightgcn");
  EXPECT_EQ(run["training"]["metric"], "mrr");
  EXPECT_EQ(run["protocol"], "sampled");
  EXPECT_EQ(run["selection"], "best_valid");
  EXPECT_EQ(run["sizes"]["items"], 30);
  ASSERT_EQ(run["history"].size(), 6u);
  EXPECT_FALSE(run["history"][0].contains("metrics"));
  EXPECT_TRUE(run["history"][1]["metrics"].contains("hr@10"));
  EXPECT_TRUE(run["test"].contains("ndcg@5"));
  EXPECT_FALSE(run["test"].contains("hr@1"));
  const int best = run["best_epoch"];
  EXPECT_TRUE(best == 2 || best == 4 || best == 6) << best;
  EXPECT_DOUBLE_EQ(run["valid"]["mrr"].get<double>(), run["history"][best - 1]["metrics"]["mrr"].get<double>());
  EXPECT_TRUE(std::ifstream(dir.file("best.pt")).good());
}

TEST(CliTrain, WithoutValidationReportsTestOnTheScheduleAndKeepsTheFinalModel) {
  testing::TempDir dir;
  const std::string data = make_tiny_dataset(dir);
  std::string output;
  ASSERT_EQ(run_graft("train --data " + data + " --domain main --split given --model bprmf --dim 8 --epochs 3 "
                      "--batch-size 64 --lr 0.05 --eval-every 2 --threads 1 --json " +
                          dir.file("run.json"),
                      &output),
            0)
      << output;
  EXPECT_NE(output.find("(test)"), std::string::npos) << output;
  const nlohmann::json run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["selection"], "final");
  EXPECT_EQ(run["training"]["metric"], "recall@20");
  EXPECT_EQ(run["sizes"]["train"], 240);
  EXPECT_EQ(run["sizes"]["evaluated"], 40);
  EXPECT_EQ(run["best_epoch"], 3);
  EXPECT_TRUE(run["valid"].is_null());
  EXPECT_TRUE(run["history"][1].contains("metrics"));
  EXPECT_TRUE(run["history"][2].contains("metrics"));
  // The last scheduled evaluation is the final model's test evaluation.
  EXPECT_DOUBLE_EQ(run["test"]["recall@20"].get<double>(),
                   run["history"][2]["metrics"]["recall@20"].get<double>());
  EXPECT_TRUE(run["test"].contains("precision@50"));
}

// The training-free models fit in closed form: no epochs, and within each taste group they rank
// the group's unseen items first (9 of the 24 candidates), so every test item is in the top 10.
// Over the memory budget, the fit is refused (exit 2) with its need stated.
TEST(CliTrain, TrainingFreeModelsFitInClosedFormAndSeparateTheTasteGroups) {
  testing::TempDir dir;
  const std::string data = make_tiny_dataset(dir);
  for (const std::string model : {"itemknn", "ease", "gfcf"}) {
    std::string output;
    ASSERT_EQ(run_graft("train --data " + data + " --domain main --split given --model " + model +
                            " --lambda 1 --rank 4 --threads 1 --ks 10 --metric recall@10 --json " + dir.file(model + ".json"),
                        &output),
              0)
        << output;
    EXPECT_NE(output.find(model + ": 30 items, 40 users with training interactions; the fit needs about"),
              std::string::npos)
        << output;
    const nlohmann::json run = read_json(dir.file(model + ".json"));
    EXPECT_EQ(run["model"]["name"], model);
    EXPECT_TRUE(run["history"].empty()) << model;
    EXPECT_EQ(run["best_epoch"], 0);
    EXPECT_DOUBLE_EQ(run["test"]["recall@10"].get<double>(), 1.0) << model;
  }
  std::string output;
  EXPECT_EQ(run_graft("train --data " + data + " --domain main --split given --model ease --memory-budget-mb 0.001",
                      &output),
            2);
  EXPECT_NE(output.find("ease needs about 0 MiB for 30 items"), std::string::npos) << output;
  EXPECT_NE(output.find("over the memory budget"), std::string::npos) << output;
}

TEST(CliTrain, UsageErrorsNameTheBadValue) {
  testing::TempDir dir;
  const std::string data = make_tiny_dataset(dir);
  const std::string base = "train --data " + data + " --epochs 1 ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--domain main --split ratio --model ngcf", "'ngcf'"},
      {"--domain main --split ratio --dim 0", "got 0"},
      {"--domain books --split ratio", "'books'"},
      {"--domain main --split leave_one_out", "'leave_one_out'"},
      {"--domain main --split ratio --metric recall@7", "'recall@7'"},
      {"--domain main --split given --protocol sampled", "no sampled negatives"},
      {"--domain main --split ratio --node-budget 5", "node_budget needs graph sampled, got 5"},
      {"--domain main --split ratio --graph sampled --node-budget -1", "node_budget must be at least 0 (0: no bound), got -1"},
  };
  for (const auto& [args, expected] : cases) {
    std::string output;
    EXPECT_EQ(run_graft(base + args, &output), 2) << args << "\n" << output;
    EXPECT_NE(output.find(expected), std::string::npos) << args << "\n" << output;
  }
}

TEST(CliTrain, SampledStepsWithinANodeBudgetSayTheBudgetAndLearn) {
  testing::TempDir dir;
  const std::string data = make_tiny_dataset(dir);
  std::string output;
  ASSERT_EQ(run_graft("train --data " + data + " --domain main --split ratio --model lightgcn --layers 2 --dim 8 "
                      "--epochs 20 --batch-size 64 --lr 0.05 --eval-every 20 --threads 1 --protocol sampled --ks 5 "
                      "--graph sampled --fanouts 4,4 --node-budget 12 --optimizer lazy_adam --json " + dir.file("run.json"),
                      &output),
            0)
      << output;
  EXPECT_NE(output.find("sampled subgraph steps (fan-outs 4,4, node budget 12, lazy_adam)"), std::string::npos) << output;
  const nlohmann::json run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["training"]["node_budget"], 12);
  const double nodes = run["history"][0]["nodes_per_step"].get<double>();
  EXPECT_GT(nodes, 12.0);
  EXPECT_LE(nodes, 70.0);  // 40 users and 30 items
  EXPECT_GT(run["test"]["mrr"].get<double>(), 0.6);  // random ranks of 6 candidates: 0.41
}

TEST(CliTrain, TargetBehaviourTrainsOnPurchasesAndKeepsViewedItemsCandidates) {
  testing::TempDir dir;
  const std::string data = testing::make_behaviour_dataset(dir);
  const std::string common = "train --data " + data + " --domain shop --split given --layers 2 --dim 8 --epochs 4 "
                             "--batch-size 32 --lr 0.05 --eval-every 4 --threads 1 --json " + dir.file("run.json");
  const std::string base = common + " --model lightgcn";
  std::string output;
  ASSERT_EQ(run_graft(base + " --target-behaviour buy", &output), 0) << output;
  nlohmann::json run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["sizes"]["train"], 80);
  EXPECT_EQ(run["sizes"]["graph_train"], 480);
  EXPECT_EQ(run["sizes"]["evaluated"], 40);
  EXPECT_GT(run["test"]["recall@20"].get<double>(), 0.0) << "viewed items stay candidates for purchase";
  // Peak resident memory of the run: LibTorch alone takes tens of megabytes, a toy run not gigabytes.
  EXPECT_GT(run["peak_memory_mb"].get<double>(), 20.0);
  EXPECT_LT(run["peak_memory_mb"].get<double>(), 2048.0);

  ASSERT_EQ(run_graft(base + " --target-behaviour buy --graph-behaviours target", &output), 0) << output;
  run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["sizes"]["graph_train"], 80);

  // Without a target behaviour every training interaction is masked, the viewed test items too.
  ASSERT_EQ(run_graft(base + " --behaviour-weights", &output), 0) << output;
  run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["model"]["behaviour_weights"], true);
  EXPECT_EQ(run["test"]["recall@50"].get<double>(), 0.0);

  ASSERT_EQ(run_graft(common + " --model encoder --layer relational --relations user-item/view,user-item/buy "
                             "--relation-weights none --relation-combine learned --no-head --target-behaviour buy",
                      &output),
            0)
      << output;
  run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["model"]["encoder"]["relations"], nlohmann::json({"user-item/view", "user-item/buy"}));
  EXPECT_EQ(run["model"]["encoder"]["relation_weights"], "none");
  EXPECT_EQ(run["model"]["encoder"]["relation_combine"], "learned");
  EXPECT_EQ(run["model"]["encoder"]["head"], false);
  // Relations it does not name stay out of its graph: views alone predict the purchases.
  ASSERT_EQ(run_graft(common + " --model encoder --layer relational --relations user-item/view --relation-weights none "
                             "--no-head --target-behaviour buy",
                      &output),
            0)
      << output;

  EXPECT_EQ(run_graft(base + " --target-behaviour sale", &output), 2) << output;
  EXPECT_NE(output.find("'sale'"), std::string::npos) << output;
  EXPECT_EQ(run_graft(base + " --target-behaviour pv", &output), 2) << output;
  EXPECT_NE(output.find("40 of the test cases"), std::string::npos) << output;
}

// The graph holds purchases alone, so views reach the model only through the first phase or the
// auxiliary task; the held-out purchase is a viewed item nobody has bought in training.
TEST(CliTrain, PretrainingOnViewsOrViewsAsAnAuxiliaryTaskLiftPurchases) {
  testing::TempDir dir;
  const std::string data = testing::make_viewed_novelty_dataset(dir);
  const std::string base = "train --data " + data + " --domain novelty --split given --model lightgcn --layers 2 "
                           "--dim 8 --epochs 4 --batch-size 32 --lr 0.05 --eval-every 4 --threads 1 "
                           "--target-behaviour buy --graph-behaviours target --json " + dir.file("run.json");
  std::string output;
  ASSERT_EQ(run_graft(base, &output), 0) << output;
  nlohmann::json run = read_json(dir.file("run.json"));
  const double purchases_only = run["test"]["hr@10"].get<double>();
  EXPECT_EQ(run["pretraining"]["epochs"], 0);
  EXPECT_TRUE(run["pretraining"]["history"].empty());

  const std::string pretrained = base + " --pretrain-behaviour pv --pretrain-epochs 6";
  ASSERT_EQ(run_graft(pretrained, &output), 0) << output;
  run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["pretraining"]["behaviour"], "pv");
  ASSERT_EQ(run["pretraining"]["history"].size(), 6u);
  EXPECT_LT(run["pretraining"]["history"][5]["loss"].get<double>(), run["pretraining"]["history"][0]["loss"].get<double>());
  EXPECT_EQ(run["sizes"]["train"], 80) << "the second phase trains on purchases";
  const double with_views = run["test"]["hr@10"].get<double>();
  EXPECT_GT(with_views, purchases_only + 0.2) << "purchases only " << purchases_only << ", after views " << with_views;
  ASSERT_EQ(run_graft(pretrained, &output), 0) << output;
  EXPECT_EQ(read_json(dir.file("run.json"))["test"]["hr@10"].get<double>(), with_views) << "same seed, same run";

  ASSERT_EQ(run_graft(base + " --auxiliary-behaviours pv=0.5", &output), 0) << output;
  run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["auxiliary_behaviours"], nlohmann::json({"pv=0.5"}));
  const double auxiliary_views = run["test"]["hr@10"].get<double>();
  EXPECT_GT(auxiliary_views, purchases_only + 0.2) << "purchases only " << purchases_only << ", views beside "
                                                   << auxiliary_views;

  const std::vector<std::pair<std::string, std::string>> cases = {
      {" --auxiliary-behaviours buy", "buy is the target behaviour"},
      {" --auxiliary-behaviours pv=0", "the weight must be a positive number"},
      {" --auxiliary-behaviours pv=x", "the weight must be a positive number"},
      {" --auxiliary-behaviours sale=1", "'sale'"},
      {" --auxiliary-behaviours cart", "no training interactions of that behaviour"},
      {" --pretrain-epochs 2", "--pretrain-behaviour"},
      {" --pretrain-behaviour pv", "--pretrain-epochs"},
      {" --pretrain-behaviour pv --pretrain-epochs 0", "--pretrain-epochs"},
      {" --pretrain-behaviour sale --pretrain-epochs 1", "'sale'"},
      {" --pretrain-behaviour cart --pretrain-epochs 1", "no training interactions of that behaviour"},
  };
  for (const auto& [args, expected] : cases) {
    EXPECT_EQ(run_graft(base + args, &output), 2) << args << "\n" << output;
    EXPECT_NE(output.find(expected), std::string::npos) << args << "\n" << output;
  }
}

TEST(CliTrain, LastFmImportsAndTrainsOverAllItems) {
  GRAFT_REQUIRE_SHARED_DATA(lastfm, "lastfm");
  testing::TempDir dir;
  std::string output;
  ASSERT_EQ(run_graft("data import --format csv --delimiter tab " + lastfm + "/data1.txt " + lastfm +
                          "/test1.txt --column user=0 --column item=1 --column rating=2 -o " + dir.file("lastfm.h5"),
                      &output),
            0)
      << output;
  ASSERT_EQ(run_graft("train --data " + dir.file("lastfm.h5") + " --domain main --split given --epochs 1 "
                      "--lr 0.01 --threads 2 --ks 20 --json " + dir.file("run.json"),
                      &output),
            0)
      << output;
  const nlohmann::json run = read_json(dir.file("run.json"));
  EXPECT_EQ(run["sizes"]["items"], 4489);
  EXPECT_EQ(run["sizes"]["train"], 42135);
  EXPECT_EQ(run["sizes"]["test"], 10533);
  EXPECT_EQ(run["sizes"]["evaluated"], 1858);
  // One epoch at a high learning rate already ranks far above chance (recall@20 ≈ 20 / 4,460).
  EXPECT_GT(run["test"]["recall@20"].get<double>(), 0.05);
}

}  // namespace
}  // namespace graft
