// Experiment configuration: layering priority, and every error naming the file, line and key.
#include <gtest/gtest.h>

#include "experiments/config.h"
#include "graph_io/errors.h"
#include "tests/support/option_edges.h"
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
  EXPECT_EQ(usage_error(dir, "encoder.dropout: 1\n"), file + ":1: encoder.dropout must be in [0, 1), got 1.0");
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

// `key: value` as YAML: a dotted key nested under its section (on the line before), so the value
// is on line `lines` of the returned text.
std::string yaml_entry(const std::string& key, const std::string& value, long long& lines) {
  const size_t dot = key.rfind('.');
  if (dot == std::string::npos) {
    lines = 1;
    return key + ": " + value + "\n";
  }
  lines = 2;
  return key.substr(0, dot) + ":\n  " + key.substr(dot + 1) + ": " + value + "\n";
}

// Every range of the transfer rule table, given in a file: a value just outside it is reported at
// the file and line with the key, and the same value set in code is refused by transfer::validate
// naming the key; a value just inside passes both.
TEST(Config, EveryTransferRangeIsCheckedAtItsLineAndByValidate) {
  testing::TempDir dir;
  const std::string file = dir.file("exp.yaml");
  size_t checked = 0;
  for (const transfer::OptionRule& rule : transfer::option_rules()) {
    // encoder.seed is declared by experiments/ in its own form (-1: follow seed).
    if (!exp::find_key(rule.key)->set) continue;
    for (const testing::EdgeValue& edge : testing::edge_values(rule)) {
      ++checked;
      long long line = 0;
      // features.items = both, so that features.id_dropout in its range is valid alone.
      const std::string items = rule.key == "features.items" ? "" : "\nfeatures.items: both\n";
      const std::string yaml = "source: a\ntarget: b\n" + yaml_entry(rule.key, edge.value.dump(), line) + items;
      line += 2;
      const std::string what = rule.key + " = " + edge.value.dump() + " (" + edge.edge + ")";
      transfer::TransferOptions o;
      o.source = "a";
      o.target = "b";
      o.split = "s";
      o.features.items = "both";
      rule.set(edge.value, o);
      const bool representable = testing::holds(rule, o, edge.value);  // not a negative unsigned seed
      if (edge.inside) {
        exp::Settings settings;
        ASSERT_NO_THROW(settings = load_experiment(dir.write("exp.yaml", yaml), {}).base) << what;
        EXPECT_NO_THROW(exp::to_transfer_options(settings)) << what;
        EXPECT_NO_THROW(transfer::validate(o)) << what;
        continue;
      }
      const std::string message = usage_error(dir, yaml);
      EXPECT_EQ(message.rfind(file + ":" + std::to_string(line) + ": " + rule.key + " " + rule.range_text() + ", got ", 0),
                0u)
          << what << ": " << message;
      if (!representable) continue;
      try {
        transfer::validate(o);
        ADD_FAILURE() << what << ": transfer::validate accepted it";
      } catch (const io::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("transfer option " + rule.key + " "), std::string::npos) << e.what();
      }
    }
  }
  EXPECT_GT(checked, 80u);
}

// The four keys whose YAML check and transfer::validate used to disagree (so a value could pass
// the file check and fail later without a line), and finetune.last_k, which both allowed at 0.
TEST(Config, KeysThatUsedToDisagreeFailAtTheirLine) {
  testing::TempDir dir;
  const std::string file = dir.file("exp.yaml");
  EXPECT_EQ(usage_error(dir, "meta:\n  inner_steps: 0\n"), file + ":2: meta.inner_steps must be >= 1, got 0");
  EXPECT_EQ(usage_error(dir, "instance_weighting:\n  estimator_epochs: 0\n"),
            file + ":2: instance_weighting.estimator_epochs must be >= 1, got 0");
  EXPECT_EQ(usage_error(dir, "finetune.lr_decay: 1.5\n"), file + ":1: finetune.lr_decay must be in (0, 1], got 1.5");
  EXPECT_EQ(usage_error(dir, "meta.meta_lr: 2\n"), file + ":1: meta.meta_lr must be in (0, 1], got 2.0");
  EXPECT_EQ(usage_error(dir, "finetune.last_k: 0\n"), file + ":1: finetune.last_k must be >= 1, got 0");
  const std::string ok = dir.write("ok.yaml",
                                   "source: a\ntarget: b\nmeta: {inner_steps: 1, meta_lr: 1}\nfinetune.lr_decay: 1\n"
                                   "instance_weighting.estimator_epochs: 1\nfinetune: {last_k: 1, mode: lora}\n");
  const transfer::TransferOptions o = exp::to_transfer_options(load_experiment(ok, {}).base);
  EXPECT_EQ(o.meta.inner_steps, 1);
  EXPECT_EQ(o.meta.meta_lr, 1.0);
  EXPECT_EQ(o.finetune.lr_decay, 1.0);
  EXPECT_EQ(o.instance_weighting.estimator_epochs, 1);
  EXPECT_EQ(o.finetune.mode, "lora");
}

// What transfer::validate checks across keys is reported where the offending key was set.
TEST(Config, CrossKeyErrorsNameWhereTheKeyWasSet) {
  testing::TempDir dir;
  const std::string file = dir.write("exp.yaml", "source: a\ntarget: b\nencoder:\n  dim: 10\n  heads: 4\n");
  auto error = [&](const std::vector<std::string>& sets) {
    try {
      exp::to_transfer_options(load_experiment(file, sets).base);
    } catch (const io::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error({}), file + ":5: transfer option encoder.heads must divide encoder.dim = 10, got 4");
  dir.write("exp.yaml", "source: a\ntarget: b\nencoder.dim: 10\n");
  EXPECT_EQ(error({"encoder.heads=3"}), "--set encoder.heads=3: transfer option encoder.heads must divide encoder.dim = 10, got 3");
  dir.write("exp.yaml", "source: a\ntarget: a\n");
  EXPECT_EQ(error({}), file + ":2: transfer option target names the same domain 'a' as source; name two domains");
  dir.write("exp.yaml", "source: a\n");
  EXPECT_EQ(error({}), "defaults: transfer option target is not set: name a domain");
  dir.write("exp.yaml", "source: a\ntarget: b\nsplit: \"\"\n");
  EXPECT_EQ(error({}), file + ":3: transfer option split is not set: name a split of the dataset");
  dir.write("exp.yaml", "source: a\ntarget: b\nalign:\n  bandwidths: []\n");
  EXPECT_EQ(error({}), file + ":4: transfer option align.bandwidths must not be empty");
}

TEST(Config, TheSchemaHoldsEveryTransferRule) {
  for (const transfer::OptionRule& rule : transfer::option_rules()) {
    const exp::KeySpec* spec = exp::find_key(rule.key);
    ASSERT_NE(spec, nullptr) << rule.key;
    EXPECT_EQ(spec->type, rule.type) << rule.key;
    if (rule.key == "encoder.seed" || rule.key == "split") continue;  // experiment-level forms
    EXPECT_EQ(spec->doc, rule.doc) << rule.key;
    EXPECT_EQ(spec->default_value, rule.default_value) << rule.key;
    EXPECT_EQ(spec->range_text(), rule.range_text()) << rule.key;
    EXPECT_EQ(spec->identity, rule.identity) << rule.key;
  }
}

}  // namespace
}  // namespace graft
