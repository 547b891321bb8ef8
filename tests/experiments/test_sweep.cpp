// Sweep expansion (grid × zip × random × seeds), trial id stability, and shards.
#include <gtest/gtest.h>

#include <set>

#include "experiments/sweep.h"
#include "graph_io/errors.h"
#include "tests/support/test_support.h"

namespace graft {
namespace {

const std::string kData = "data.generate: two-platform\nsource: source\ntarget: target\n";

exp::Sweep expand_yaml(const testing::TempDir& dir, const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return exp::expand(exp::load_experiment(dir.write("exp.yaml", yaml), sets));
}

std::vector<std::string> ids(const exp::Sweep& sweep) {
  std::vector<std::string> out;
  for (const auto& t : sweep.trials) out.push_back(t.id);
  return out;
}

TEST(Sweep, GridZipSeedsMultiplyInAStableOrder) {
  testing::TempDir dir;
  const std::string yaml = kData +
                           "sweep:\n"
                           "  grid:\n    method: [target_only, finetune]\n    encoder.layers: [1, 2]\n"
                           "  zip:\n    source: [source, target]\n    target: [target, source]\n"
                           "  seeds: [0, 1, 2]\n";
  const exp::Sweep sweep = expand_yaml(dir, yaml);
  ASSERT_EQ(sweep.trials.size(), 2u * 2u * 2u * 3u);
  EXPECT_EQ(sweep.varying, (std::vector<std::string>{"method", "encoder.layers", "source", "target", "seed"}));
  const std::vector<std::string> all = ids(sweep);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), sweep.trials.size());
  for (size_t i = 0; i < sweep.trials.size(); ++i) {
    const exp::Settings& s = sweep.trials[i].settings;
    EXPECT_EQ(sweep.trials[i].index, i);
    EXPECT_EQ(s.at("seed").value, static_cast<int64_t>(i % 3));                  // innermost
    EXPECT_EQ(s.at("source").value, i / 3 % 2 == 0 ? "source" : "target");       // zip
    EXPECT_NE(s.at("source").value, s.at("target").value);
    EXPECT_EQ(s.at("encoder.layers").value, static_cast<int64_t>(i / 6 % 2 + 1));  // last grid key
    EXPECT_EQ(s.at("method").value, i < 12 ? "target_only" : "finetune");
    EXPECT_EQ(sweep.trials[i].id.size(), 16u);
  }
  EXPECT_EQ(ids(expand_yaml(dir, yaml)), ids(sweep));
  EXPECT_EQ(expand_yaml(dir, yaml).spec_id, sweep.spec_id);
}

TEST(Sweep, IdsDependOnTheResolvedConfigurationOnly) {
  testing::TempDir dir;
  const exp::Sweep a = expand_yaml(dir, kData + "adapt:\n  lr: 0.01\n  epochs: 3\nsweep: {seeds: [4, 5]}\n");
  const exp::Sweep b = expand_yaml(dir, "adapt.epochs: 3\nadapt.lr: 1.0e-2\n" + kData + "seed: 4\nsweep: {seeds: [4, 5]}\n",
                                   {"threads=3", "verbose=true"});
  EXPECT_EQ(ids(a), ids(b));
  EXPECT_EQ(a.trials[0].id, exp::trial_id(a.trials[0].settings));
  const exp::Sweep c = expand_yaml(dir, kData + "adapt:\n  lr: 0.01\n  epochs: 4\nsweep: {seeds: [4, 5]}\n");
  EXPECT_NE(ids(a)[0], ids(c)[0]);
  EXPECT_NE(a.spec_id, c.spec_id);
}

TEST(Sweep, RandomSamplesAreReproducibleAndInRange) {
  testing::TempDir dir;
  auto yaml = [](int seed) {
    return kData + "sweep:\n  random:\n    n: 6\n    seed: " + std::to_string(seed) +
           "\n    space:\n      adapt.lr: {min: 1.0e-4, max: 1.0e-1, log: true}\n"
           "      encoder.layers: {min: 1, max: 3}\n      method: [finetune, mapping]\n";
  };
  const exp::Sweep a = expand_yaml(dir, yaml(7));
  ASSERT_EQ(a.trials.size() + a.duplicates, 6u);
  EXPECT_EQ(ids(expand_yaml(dir, yaml(7))), ids(a));
  EXPECT_NE(ids(expand_yaml(dir, yaml(8))), ids(a));
  std::set<double> lrs;
  for (const auto& t : a.trials) {
    const double lr = t.settings.at("adapt.lr").value.get<double>();
    const int64_t layers = t.settings.at("encoder.layers").value.get<int64_t>();
    EXPECT_TRUE(lr >= 1e-4 && lr <= 1e-1) << lr;
    EXPECT_TRUE(layers >= 1 && layers <= 3) << layers;
    lrs.insert(lr);
  }
  EXPECT_EQ(lrs.size(), a.trials.size());
}

TEST(Sweep, ZeroTrialsAndBadAxesAreErrors) {
  testing::TempDir dir;
  const std::string file = dir.file("exp.yaml");
  auto error = [&](const std::string& yaml) -> std::string {
    try {
      expand_yaml(dir, kData + yaml);
    } catch (const io::UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error("sweep:\n  grid:\n    method: []\n"), file + ":6: sweep.grid method has no values: the sweep has zero trials");
  EXPECT_EQ(error("sweep:\n  seeds: []\n"), file + ":5: sweep.seeds has no values: the sweep has zero trials");
  EXPECT_EQ(error("sweep:\n  random: {n: 0, space: {seed: [1]}}\n"),
            file + ":5: sweep.random (n = 0) has no values: the sweep has zero trials");
  EXPECT_EQ(error("sweep:\n  zip:\n    source: [a, b]\n    target: [c]\n"),
            file + ":5: sweep.zip: lists must have one length; source has 2 values, target has 1");
  EXPECT_NE(error("sweep:\n  zip:\n    source: [source, target]\n    target: [target, target]\n").find("trial 1 (source=target, target=target)"),
            std::string::npos);
}

TEST(Sweep, SetPinsAKeyAndDropsItsAxis) {
  testing::TempDir dir;
  const std::string yaml = kData + "sweep:\n  grid:\n    method: [target_only, finetune]\n  seeds: [0, 1, 2]\n";
  EXPECT_EQ(expand_yaml(dir, yaml, {"method=mapping"}).trials.size(), 3u);
  EXPECT_EQ(expand_yaml(dir, yaml, {"seed=9"}).trials.size(), 2u);
  const exp::Sweep more = expand_yaml(dir, yaml, {"sweep.seeds=[0, 1, 2, 3]"});
  EXPECT_EQ(more.trials.size(), 8u);
  EXPECT_NE(more.spec_id, expand_yaml(dir, yaml).spec_id);
}

TEST(Shard, ParsesAndRejects) {
  EXPECT_EQ(exp::parse_shard("2/3").index, 2u);
  EXPECT_EQ(exp::parse_shard("2/3").count, 3u);
  for (const char* bad : {"0/3", "4/3", "x/y", "3", "1/0", "/3", "1/", "-1/3", "1/3/4"}) {
    try {
      exp::parse_shard(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const io::UsageError& e) {
      EXPECT_EQ(std::string(e.what()), "--shard: expected i/n with 1 <= i <= n, got '" + std::string(bad) + "'");
    }
  }
}

TEST(Shard, PartitionCoversEveryTrialOnce) {
  for (size_t n = 1; n <= 5; ++n) {
    std::vector<int> covered(23, 0);
    for (size_t i = 1; i <= n; ++i) {
      const exp::Shard shard = exp::parse_shard(std::to_string(i) + "/" + std::to_string(n));
      for (size_t t = 0; t < covered.size(); ++t) covered[t] += shard.contains(t);
    }
    for (size_t t = 0; t < covered.size(); ++t) EXPECT_EQ(covered[t], 1) << "trial " << t << " with n = " << n;
  }
}

}  // namespace
}  // namespace graft
