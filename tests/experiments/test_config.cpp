// Experiment configuration: layering priority, and every error naming the file, line and key.
#include <gtest/gtest.h>

#include "experiments/config.h"
#include "graph_io/errors.h"
#include "tests/support/test_support.h"

namespace graft {
namespace {

using exp::load_experiment;

// The message of the UsageError that loading `yaml` (written to exp.yaml) throws.
std::string usage_error(const testing::TempDir& dir, const std::string& yaml, const std::vector<std::string>& sets = {}) {
  const std::string file = dir.write("exp.yaml", yaml);
  try {
    load_experiment(file, sets);
  } catch (const io::UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError for:\n" << yaml;
  return "";
}

TEST(Config, UnknownKeyNamesFileLineAndSuggests) {
  testing::TempDir dir;
  const std::string file = dir.file("exp.yaml");
  EXPECT_EQ(usage_error(dir, "source: a\ntarget: b\nsourse: c\n"),
            file + ":3: unknown key 'sourse' (did you mean 'source'?)");
  EXPECT_EQ(usage_error(dir, "adapt:\n  lr: 0.1\n  epoch: 3\n"),
            file + ":3: unknown key 'adapt.epoch' (did you mean 'adapt.epochs'?)");
  EXPECT_EQ(usage_error(dir, "epochs: 3\n"), file + ":1: unknown key 'epochs' (did you mean 'pretrain.epochs'?)");
  EXPECT_EQ(usage_error(dir, "sweep:\n  grids: {method: [finetune]}\n"),
            file + ":2: unknown key 'sweep.grids' (did you mean 'grid'?)");
  EXPECT_EQ(usage_error(dir, "sweep:\n  grid:\n    adapt.lrr: [1]\n"),
            file + ":3: unknown key 'adapt.lrr' (did you mean 'adapt.lr'?)");
}

TEST(Config, WrongTypeAndRangeNameKeyAndValue) {
  testing::TempDir dir;
  const std::string file = dir.file("exp.yaml");
  EXPECT_EQ(usage_error(dir, "\nadapt:\n  epochs: many\n"), file + ":3: adapt.epochs: expected an int, got 'many'");
  EXPECT_EQ(usage_error(dir, "adapt.epochs: 2.5\n"), file + ":1: adapt.epochs: expected an int, got '2.5'");
  EXPECT_EQ(usage_error(dir, "adapt.lr: [1, 2]\n"), file + ":1: adapt.lr: expected a float, got a list");
  EXPECT_EQ(usage_error(dir, "verbose: maybe\n"), file + ":1: verbose: expected a bool, got 'maybe'");
  EXPECT_EQ(usage_error(dir, "adapt.lr: -1\n"), file + ":1: adapt.lr must be > 0, got -1.0");
  EXPECT_EQ(usage_error(dir, "encoder.dropout: 1\n"), file + ":1: encoder.dropout must be < 1, got 1.0");
  EXPECT_EQ(usage_error(dir, "ks: [5, 0]\n"), file + ":1: ks must be >= 1, got 0");
  EXPECT_EQ(usage_error(dir, "loss: bpx\n"), file + ":1: loss: unknown value 'bpx'; valid: bpr, bce (did you mean 'bpr'?)");
  EXPECT_EQ(usage_error(dir, "sweep:\n  seeds: [1, -2]\n"), file + ":2: seed must be >= 0, got -2");
}

TEST(Config, MalformedYamlDuplicateKeysAndIncludesNameTheFile) {
  testing::TempDir dir;
  const std::string file = dir.file("exp.yaml");
  EXPECT_EQ(usage_error(dir, "source: a\ntarget: [b, c\n").rfind(file + ":", 0), 0u);
  EXPECT_NE(usage_error(dir, "source: a\ntarget: [b, c\n").find("malformed YAML"), std::string::npos);
  EXPECT_EQ(usage_error(dir, "adapt:\n  lr: 0.1\nadapt.lr: 0.2\n"), file + ":3: key 'adapt.lr' given twice (first at line 2)");
  EXPECT_EQ(usage_error(dir, "\ninclude: [nothere.yaml]\n"),
            file + ":2: include 'nothere.yaml' not found (looked for " + dir.file("nothere.yaml") + ")");
  dir.write("inc.yaml", "adapt:\n  epochs: x\n");
  EXPECT_EQ(usage_error(dir, "include: inc.yaml\n"), dir.file("inc.yaml") + ":2: adapt.epochs: expected an int, got 'x'");
  dir.write("loop.yaml", "include: exp.yaml\n");
  EXPECT_NE(usage_error(dir, "include: loop.yaml\n").find("include cycle"), std::string::npos);
}

TEST(Config, SetIsCheckedLikeAFileValue) {
  testing::TempDir dir;
  EXPECT_EQ(usage_error(dir, "source: a\n", {"adapt.epochs=x"}), "--set adapt.epochs=x: adapt.epochs: expected an int, got 'x'");
  EXPECT_EQ(usage_error(dir, "source: a\n", {"adpat.epochs=3"}),
            "--set adpat.epochs=3: unknown key 'adpat.epochs' (did you mean 'adapt.epochs'?)");
  EXPECT_EQ(usage_error(dir, "source: a\n", {"adapt.epochs"}), "--set adapt.epochs: expected key=value");
}

TEST(Config, PriorityDefaultsIncludeFileSet) {
  testing::TempDir dir;
  dir.write("configs/base.yaml", "adapt: {epochs: 3, lr: 0.5}\npretrain.epochs: 7\nencoder.dim: 16\n");
  dir.write("configs/model.yaml", "encoder.dim: 24\n");
  const std::string file = dir.write("configs/exp.yaml",
                                     "include: [base.yaml, model.yaml]\nadapt:\n  epochs: 4\n  lr: 0.25\nks: [5, 10]\n");
  const exp::ExperimentSpec spec = load_experiment(file, {"adapt.epochs=5", "align.bandwidths=[1, 2]"});
  const exp::Settings& s = spec.base;
  EXPECT_EQ(s.at("adapt.epochs").value, 5);
  EXPECT_EQ(s.at("adapt.epochs").origin.str(), "--set adapt.epochs=5");
  EXPECT_EQ(s.at("adapt.lr").value, 0.25);
  EXPECT_EQ(s.at("adapt.lr").origin.str(), file + ":4");
  EXPECT_EQ(s.at("pretrain.epochs").value, 7);
  EXPECT_EQ(s.at("pretrain.epochs").origin.str(), dir.file("configs/base.yaml") + ":2");
  EXPECT_EQ(s.at("encoder.dim").value, 24);  // the later include wins
  EXPECT_EQ(s.at("adapt.batch_size").value, transfer::TransferOptions{}.adapt.batch_size);
  EXPECT_EQ(s.at("adapt.batch_size").origin.str(), "defaults");
  EXPECT_EQ(spec.name, "exp");

  exp::Settings settings = s;
  settings["source"].value = "a";
  settings["target"].value = "b";
  const transfer::TransferOptions o = exp::to_transfer_options(settings);
  EXPECT_EQ(o.adapt.epochs, 5);
  EXPECT_EQ(o.adapt.lr, 0.25);
  EXPECT_EQ(o.pretrain.epochs, 7);
  EXPECT_EQ(o.encoder.dim, 24);
  EXPECT_EQ(o.ks, (std::vector<int64_t>{5, 10}));
  EXPECT_EQ(o.align.bandwidths, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(o.encoder.seed, o.seed);  // encoder.seed -1 follows seed
}

TEST(Config, DataMustBeOneReadableSource) {
  testing::TempDir dir;
  exp::Settings s = exp::default_settings();
  EXPECT_THROW(exp::check_data(s), io::UsageError);
  exp::apply_sets(s, {"data.path=" + dir.file("missing.h5")});
  try {
    exp::check_data(s);
    FAIL() << "no DataError for a missing data file";
  } catch (const io::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("--set data.path=" + dir.file("missing.h5") + ": data.path: "), std::string::npos)
        << e.what();
  }
  exp::apply_sets(s, {"data.generate=two-platform"});
  EXPECT_THROW(exp::check_data(s), io::UsageError);  // both set
  exp::apply_sets(s, {"data.path="});
  EXPECT_NO_THROW(exp::check_data(s));
}

}  // namespace
}  // namespace graft
