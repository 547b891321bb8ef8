// The option rule table and validate(): every range of the table is what validate() enforces,
// each rule binds its own field with the library's default, the cross-field checks name their
// keys, and gnn::validate(EncoderOptions) agrees with the table's encoder rules.
#include "transfer/option_rules.h"

#include <gtest/gtest.h>

#include <set>

#include "gnn/encoder_options.h"
#include "tests/support/option_edges.h"

namespace graft::transfer {
namespace {

using nlohmann::json;

TransferOptions valid_options() {
  TransferOptions o;
  o.source = "a";
  o.target = "b";
  o.split = "s";
  o.features.items = "both";  // so that every features.id_dropout in its range is valid alone
  return o;
}

// The keys of the OptionError validate(o) throws; empty when it accepts o.
std::vector<std::string> rejected_keys(const TransferOptions& o, std::string* message = nullptr) {
  try {
    validate(o);
  } catch (const OptionError& e) {
    if (message) *message = e.what();
    return e.keys();
  }
  return {};
}

TEST(OptionRules, OneRulePerKeyEachBoundToItsFieldWithTheLibraryDefault) {
  std::set<std::string> keys;
  const TransferOptions defaults;
  for (const OptionRule& rule : option_rules()) {
    EXPECT_TRUE(keys.insert(rule.key).second) << rule.key << " declared twice";
    ASSERT_TRUE(rule.get && rule.set) << rule.key;
    EXPECT_EQ(rule.get(defaults), rule.default_value) << rule.key;
    EXPECT_EQ(find_option_rule(rule.key), &rule);
  }
  for (const char* key : {"graph.categories", "graph.behaviours", "finetune.adapter_bottleneck", "finetune.lora_rank",
                          "encoder.seed", "split", "keep_representations"}) {
    EXPECT_TRUE(keys.count(key)) << key;
  }
  EXPECT_EQ(find_option_rule("adapt.epoch"), nullptr);
}

// Setting one key to a value other than its default changes that key alone: no two rules share a
// field, and set/get round-trip.
TEST(OptionRules, SettingOneKeyChangesThatKeyAlone) {
  for (const OptionRule& changed : option_rules()) {
    json other;
    switch (changed.type) {
      case ValueType::kBool: other = !changed.default_value.get<bool>(); break;
      case ValueType::kInt: other = changed.default_value.get<int64_t>() + 3; break;
      case ValueType::kFloat: other = changed.default_value.get<double>() * 0.5 + 0.125; break;
      case ValueType::kString: other = changed.default_value.get<std::string>() + "x"; break;
      case ValueType::kIntList: other = json::array({7, 9}); break;
      case ValueType::kFloatList: other = json::array({0.25}); break;
    }
    TransferOptions o;
    changed.set(other, o);
    for (const OptionRule& rule : option_rules()) {
      if (&rule == &changed) {
        EXPECT_EQ(rule.get(o), other) << rule.key;
      } else {
        EXPECT_EQ(rule.get(o), rule.default_value) << "setting " << changed.key << " changed " << rule.key;
      }
    }
  }
}

TEST(OptionRules, ValidateRejectsJustOutsideEveryRangeAndAcceptsJustInside) {
  size_t checked = 0;
  for (const OptionRule& rule : option_rules()) {
    for (const testing::EdgeValue& edge : testing::edge_values(rule)) {
      TransferOptions o = valid_options();
      rule.set(edge.value, o);
      // A value the field's type cannot hold (a negative unsigned seed) is excluded by the type.
      if (!testing::holds(rule, o, edge.value)) continue;
      ++checked;
      std::string message;
      const std::vector<std::string> keys = rejected_keys(o, &message);
      if (edge.inside) {
        EXPECT_TRUE(keys.empty()) << rule.key << " = " << edge.value.dump() << ": " << message;
      } else {
        ASSERT_FALSE(keys.empty()) << rule.key << " = " << edge.value.dump() << " (" << edge.edge << ") accepted";
        EXPECT_EQ(keys.front(), rule.key);
        EXPECT_EQ(message.rfind("transfer option " + rule.key + " " + rule.range_text() + ", got ", 0), 0u) << message;
      }
    }
  }
  EXPECT_GT(checked, 80u);
}

TEST(OptionRules, IdDropoutNeedsNodesThatReadBothIdsAndFeatures) {
  TransferOptions o = valid_options();
  o.features.items = "features";
  o.features.id_dropout = 0.5;
  std::string message;
  EXPECT_EQ(rejected_keys(o, &message), (std::vector<std::string>{"features.id_dropout", "features.items"}));
  EXPECT_NE(message.find("= both, got features"), std::string::npos) << message;
  o.features.users = "both";
  EXPECT_TRUE(rejected_keys(o).empty());
}

TEST(OptionRules, ValidateNamesTheValidNamesOfAStringKey) {
  TransferOptions o = valid_options();
  o.finetune.mode = "partial";
  std::string message;
  EXPECT_EQ(rejected_keys(o, &message), std::vector<std::string>{"finetune.mode"});
  EXPECT_EQ(message,
            "transfer option finetune.mode must be one of full, frozen_encoder, last_k, discriminative, l2sp, adapter, "
            "lora, got 'partial'");
  for (const std::string mode : {"adapter", "lora"}) {
    o.finetune.mode = mode;
    EXPECT_TRUE(rejected_keys(o).empty()) << mode;
  }
  o = valid_options();
  o.encoder.layer = "gin";
  EXPECT_EQ(rejected_keys(o, &message), std::vector<std::string>{"encoder.layer"});
  EXPECT_NE(message.find("lightgcn, gcn, sage, gat"), std::string::npos) << message;
}

TEST(OptionRules, CrossFieldChecksNameTheirKeysOffenderFirst) {
  TransferOptions o = valid_options();
  EXPECT_TRUE(rejected_keys(o).empty());
  o.source = "";
  EXPECT_EQ(rejected_keys(o), std::vector<std::string>{"source"});
  o = valid_options();
  o.target = "a";
  std::string message;
  EXPECT_EQ(rejected_keys(o, &message), (std::vector<std::string>{"target", "source"}));
  EXPECT_NE(message.find("same domain 'a'"), std::string::npos) << message;
  o = valid_options();
  o.split = "";
  EXPECT_EQ(rejected_keys(o), std::vector<std::string>{"split"});
  o = valid_options();
  o.encoder.dim = 10;
  o.encoder.heads = 4;
  EXPECT_EQ(rejected_keys(o, &message), (std::vector<std::string>{"encoder.heads", "encoder.dim"}));
  EXPECT_EQ(message, "transfer option encoder.heads must divide encoder.dim = 10, got 4");
  o = valid_options();
  o.align.bandwidths.clear();
  EXPECT_EQ(rejected_keys(o), std::vector<std::string>{"align.bandwidths"});
}

// The keys whose two checks used to disagree now have one rule, the stricter one.
TEST(OptionRules, KeysThatUsedToDisagreeHaveTheStricterRule) {
  EXPECT_EQ(find_option_rule("meta.inner_steps")->range_text(), "must be >= 1");
  EXPECT_EQ(find_option_rule("instance_weighting.estimator_epochs")->range_text(), "must be >= 1");
  EXPECT_EQ(find_option_rule("finetune.lr_decay")->range_text(), "must be in (0, 1]");
  EXPECT_EQ(find_option_rule("meta.meta_lr")->range_text(), "must be in (0, 1]");
  EXPECT_EQ(find_option_rule("finetune.last_k")->range_text(), "must be >= 1");
}

// gnn::validate, which `graft train` calls on its own, accepts and rejects the encoder values the
// table does (and the table adds heads | dim as a cross-field check).
TEST(OptionRules, EncoderValidateAgreesWithTheTable) {
  size_t checked = 0;
  for (const OptionRule& rule : option_rules()) {
    if (rule.key.rfind("encoder.", 0) != 0) continue;
    for (const testing::EdgeValue& edge : testing::edge_values(rule)) {
      TransferOptions o = valid_options();
      rule.set(edge.value, o);
      if (!testing::holds(rule, o, edge.value)) continue;
      ++checked;
      bool accepted = true;
      try {
        gnn::validate(o.encoder);
      } catch (const io::UsageError&) {
        accepted = false;
      }
      EXPECT_EQ(accepted, edge.inside) << rule.key << " = " << edge.value.dump();
    }
  }
  EXPECT_GE(checked, 8u);
  TransferOptions o = valid_options();
  o.encoder.layer = "gin";
  EXPECT_THROW(gnn::validate(o.encoder), io::UsageError);
  o = valid_options();
  o.encoder.dim = 10;
  o.encoder.heads = 4;
  EXPECT_THROW(gnn::validate(o.encoder), io::UsageError);
}

}  // namespace
}  // namespace graft::transfer
