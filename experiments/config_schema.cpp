// The key table. Each transfer key is bound to its field by member pointers, which gives the
// type, the default (from a default-constructed TransferOptions) and the setter in one place.
#include "experiments/config_schema.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "gnn/encoder_options.h"
#include "graph_io/errors.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic.h"
#include "transfer/transfer.h"

namespace graft::exp {

namespace {

using nlohmann::json;
using transfer::TransferOptions;

template <typename F>
constexpr ValueType type_of() {
  if constexpr (std::is_same_v<F, bool>) return ValueType::kBool;
  else if constexpr (std::is_integral_v<F>) return ValueType::kInt;
  else if constexpr (std::is_floating_point_v<F>) return ValueType::kFloat;
  else if constexpr (std::is_same_v<F, std::string>) return ValueType::kString;
  else if constexpr (std::is_same_v<F, std::vector<int64_t>>) return ValueType::kIntList;
  else {
    static_assert(std::is_same_v<F, std::vector<double>>, "unsupported option type");
    return ValueType::kFloatList;
  }
}

template <typename F>
json to_json(const F& value) {
  if constexpr (std::is_same_v<F, bool>) return value;
  else if constexpr (std::is_integral_v<F>) return static_cast<int64_t>(value);
  else return value;
}

// A KeySpec under construction: range and choice modifiers chain.
struct Key {
  KeySpec spec;
  Key& at_least(double v) { spec.min = v; return *this; }
  Key& above(double v) { spec.min = v; spec.min_open = true; return *this; }
  Key& at_most(double v) { spec.max = v; return *this; }
  Key& below(double v) { spec.max = v; spec.max_open = true; return *this; }
  Key& one_of(std::function<std::vector<std::string>()> f) { spec.choices = std::move(f); return *this; }
  Key& one_of(std::vector<std::string> values) {
    spec.choices = [values] { return values; };
    return *this;
  }
  Key& defaults_to(json v) { spec.default_value = std::move(v); return *this; }
  Key& not_identity() { spec.identity = false; return *this; }
};

Key plain(std::string key, ValueType type, json default_value, std::string doc) {
  Key k;
  k.spec.key = std::move(key);
  k.spec.type = type;
  k.spec.default_value = std::move(default_value);
  k.spec.doc = std::move(doc);
  return k;
}

template <typename F>
Key option(std::string key, F TransferOptions::*field, std::string doc) {
  Key k = plain(std::move(key), type_of<F>(), to_json(TransferOptions{}.*field), std::move(doc));
  k.spec.apply = [field](const json& v, TransferOptions& o) { o.*field = v.get<F>(); };
  return k;
}

template <typename P, typename F>
Key option(std::string key, P TransferOptions::*part, F P::*field, std::string doc) {
  Key k = plain(std::move(key), type_of<F>(), to_json(TransferOptions{}.*part.*field), std::move(doc));
  k.spec.apply = [part, field](const json& v, TransferOptions& o) { o.*part.*field = v.get<F>(); };
  return k;
}

template <typename P>
void add_phase(std::vector<Key>& keys, const std::string& name, P TransferOptions::*part, const std::string& what) {
  using transfer::PhaseOptions;
  keys.push_back(option(name + ".epochs", part, &PhaseOptions::epochs, what + ": training epochs").at_least(0));
  keys.push_back(option(name + ".batch_size", part, &PhaseOptions::batch_size, what + ": triples per batch").at_least(1));
  keys.push_back(option(name + ".lr", part, &PhaseOptions::lr, what + ": Adam learning rate").above(0));
  keys.push_back(option(name + ".weight_decay", part, &PhaseOptions::weight_decay,
                        what + ": L2 on the batch's ID embeddings").at_least(0));
  keys.push_back(option(name + ".eval_every", part, &PhaseOptions::eval_every,
                        what + ": validate after every N-th epoch").at_least(1));
  keys.push_back(option(name + ".patience", part, &PhaseOptions::patience,
                        what + ": evaluations without improvement before stopping (0: never)").at_least(0));
}

std::vector<KeySpec> build_schema() {
  using namespace transfer;
  std::vector<Key> k;
  k.push_back(plain("experiment.name", ValueType::kString, "",
                    "runs go to <runs>/<name>/ (default: the experiment file's name without .yaml)")
                  .not_identity());
  k.push_back(plain("data.path", ValueType::kString, "", "dataset.h5 to read (relative to the current directory)"));
  k.push_back(plain("data.generate", ValueType::kString, "",
                    "synthetic preset to generate in memory instead of reading data.path")
                  .one_of(io::synthetic_presets));
  k.push_back(plain("data.generate_seed", ValueType::kInt, 0, "seed of the synthetic generator").at_least(0));
  k.push_back(plain("data.split.kind", ValueType::kString, "cold_start_users",
                    "generated data only: kind of the split made under the name `split`")
                  .one_of(io::split_kinds));
  k.push_back(plain("data.split.cold_start_fraction", ValueType::kFloat, 0.2,
                    "cold_start_users: fraction of shared users whose target history is held out")
                  .above(0)
                  .below(1));
  k.push_back(plain("data.split.category", ValueType::kString, "new", "new_category: the category withheld"));
  k.push_back(plain("data.split.k_shot", ValueType::kInt, 0,
                    "new_category: interactions per user kept in training (few-shot budget)")
                  .at_least(0));
  k.push_back(plain("data.split.valid_ratio", ValueType::kFloat, 0.1, "ratio/temporal: validation share")
                  .at_least(0)
                  .below(1));
  k.push_back(plain("data.split.test_ratio", ValueType::kFloat, 0.1, "ratio/temporal: test share").at_least(0).below(1));
  k.push_back(plain("data.split.negatives", ValueType::kInt, 999, "sampled negatives per valid/test case (0: none)")
                  .at_least(0));
  k.push_back(plain("data.split.seed", ValueType::kInt, 0, "seed of the split and its negatives").at_least(0));
  k.push_back(plain("data.carve_category", ValueType::kBool, false,
                    "new-category studies: data.split.category becomes its own target domain (named after the "
                    "category) and the rest of its domain the source, with the split's roles kept"));

  k.push_back(option("method", &TransferOptions::method, "transfer method").one_of(method_names));
  k.push_back(option("source", &TransferOptions::source, "source domain"));
  k.push_back(option("target", &TransferOptions::target, "target domain"));
  k.push_back(option("split", &TransferOptions::split, "split of the dataset (made under this name for generated data)")
                  .defaults_to("cold_start"));

  using gnn::EncoderOptions;
  k.push_back(option("encoder.dim", &TransferOptions::encoder, &EncoderOptions::dim, "embedding and layer width").at_least(1));
  k.push_back(option("encoder.layers", &TransferOptions::encoder, &EncoderOptions::layers, "message-passing layers K")
                  .at_least(0));
  k.push_back(option("encoder.layer", &TransferOptions::encoder, &EncoderOptions::layer, "layer type")
                  .one_of(gnn::layer_names));
  k.push_back(option("encoder.combine", &TransferOptions::encoder, &EncoderOptions::combine,
                     "how layer outputs combine")
                  .one_of(gnn::combine_names));
  k.push_back(option("encoder.activation", &TransferOptions::encoder, &EncoderOptions::activation, "σ of the head")
                  .one_of(gnn::activation_names));
  k.push_back(option("encoder.head", &TransferOptions::encoder, &EncoderOptions::head, "false: h = z (no head)"));
  k.push_back(option("encoder.dropout", &TransferOptions::encoder, &EncoderOptions::dropout,
                     "dropout on each layer's output")
                  .at_least(0)
                  .below(1));
  k.push_back(option("encoder.heads", &TransferOptions::encoder, &EncoderOptions::heads, "attention heads (gat)")
                  .at_least(1));
  k.push_back(plain("encoder.seed", ValueType::kInt, -1, "seed of layer and head initialisation (-1: `seed`)")
                  .at_least(-1));
  k.push_back(option("init_std", &TransferOptions::init_std, "ID embeddings ~ N(0, init_std²)").above(0));
  k.push_back(option("loss", &TransferOptions::loss, "recommendation loss").one_of({"bpr", "bce"}));
  add_phase(k, "pretrain", &TransferOptions::pretrain, "source pretraining");
  add_phase(k, "adapt", &TransferOptions::adapt, "target adaptation");

  k.push_back(option("finetune.mode", &TransferOptions::finetune, &FinetuneOptions::mode, "what fine-tuning trains")
                  .one_of({"full", "frozen_encoder", "last_k", "discriminative", "l2sp", "adapter", "lora"}));
  k.push_back(option("finetune.last_k", &TransferOptions::finetune, &FinetuneOptions::last_k,
                     "last_k: layers trained")
                  .at_least(0));
  k.push_back(option("finetune.lr_decay", &TransferOptions::finetune, &FinetuneOptions::lr_decay,
                     "discriminative: lr of layer k = lr·decay^(K−k)")
                  .above(0));
  k.push_back(option("finetune.l2sp_weight", &TransferOptions::finetune, &FinetuneOptions::l2sp_weight,
                     "l2sp: weight of ‖w − w_source‖²")
                  .at_least(0));

  k.push_back(option("align.weight", &TransferOptions::align, &AlignOptions::weight,
                     "λ_max of the adversary / weight of the MMD or CORAL loss")
                  .at_least(0));
  k.push_back(option("align.gamma", &TransferOptions::align, &AlignOptions::gamma, "λ schedule steepness γ").at_least(0));
  k.push_back(option("align.hidden", &TransferOptions::align, &AlignOptions::hidden, "discriminator hidden width")
                  .at_least(1));
  k.push_back(option("align.batch_users", &TransferOptions::align, &AlignOptions::batch_users,
                     "users per graph per alignment step")
                  .at_least(2));
  k.push_back(option("align.bandwidths", &TransferOptions::align, &AlignOptions::bandwidths,
                     "MMD Gaussian bandwidths (× median distance)")
                  .above(0));
  k.push_back(option("align.source_weight", &TransferOptions::align, &AlignOptions::source_weight,
                     "weight of the source loss kept during adaptation")
                  .at_least(0));

  k.push_back(option("mapping.kind", &TransferOptions::mapping, &MappingOptions::kind, "mapping function")
                  .one_of({"linear", "mlp"}));
  k.push_back(option("mapping.hidden", &TransferOptions::mapping, &MappingOptions::hidden, "mlp hidden width")
                  .at_least(1));
  k.push_back(option("mapping.epochs", &TransferOptions::mapping, &MappingOptions::epochs, "mapping training epochs")
                  .at_least(0));
  k.push_back(option("mapping.lr", &TransferOptions::mapping, &MappingOptions::lr, "mapping learning rate").above(0));

  k.push_back(option("meta.meta_epochs", &TransferOptions::meta, &MetaOptions::meta_epochs, "Reptile epochs").at_least(0));
  k.push_back(option("meta.tasks_per_step", &TransferOptions::meta, &MetaOptions::tasks_per_step, "users per meta step")
                  .at_least(1));
  k.push_back(option("meta.inner_steps", &TransferOptions::meta, &MetaOptions::inner_steps, "inner SGD steps per task")
                  .at_least(0));
  k.push_back(option("meta.inner_lr", &TransferOptions::meta, &MetaOptions::inner_lr, "inner learning rate").above(0));
  k.push_back(option("meta.meta_lr", &TransferOptions::meta, &MetaOptions::meta_lr,
                     "Reptile step toward the adapted weights")
                  .above(0));

  k.push_back(option("instance_weighting.estimator_epochs", &TransferOptions::instance_weighting,
                     &InstanceWeightOptions::estimator_epochs, "domain-classifier epochs")
                  .at_least(0));
  k.push_back(option("instance_weighting.clip", &TransferOptions::instance_weighting, &InstanceWeightOptions::clip,
                     "weights clipped to [1/clip, clip]")
                  .at_least(1));

  k.push_back(option("bottleneck.beta", &TransferOptions::bottleneck, &BottleneckOptions::beta,
                     "vib: weight of the KL term of user representations")
                  .at_least(0));
  k.push_back(option("bottleneck.init_sigma", &TransferOptions::bottleneck, &BottleneckOptions::init_sigma,
                     "vib: initial σ of the representation noise")
                  .above(0));
  k.push_back(option("bottleneck.contrastive", &TransferOptions::bottleneck, &BottleneckOptions::contrastive,
                     "vib: weight of InfoNCE between a shared user's source- and target-graph representations")
                  .at_least(0));
  k.push_back(option("bottleneck.temperature", &TransferOptions::bottleneck, &BottleneckOptions::temperature,
                     "vib: InfoNCE temperature")
                  .above(0));

  k.push_back(option("neighbourhood.mix", &TransferOptions::neighbourhood, &NeighbourhoodOptions::mix,
                     "shared_neighbours: weight of the shared-neighbourhood representation of cold-start users")
                  .at_least(0)
                  .at_most(1));

  k.push_back(option("protocol", &TransferOptions::protocol, "target evaluation protocol")
                  .one_of({"auto", "sampled", "full"}));
  k.push_back(option("ks", &TransferOptions::ks, "cut-offs K (empty: the protocol's defaults)").at_least(1));
  k.push_back(option("selection_metric", &TransferOptions::selection_metric,
                     "validation metric for model selection (auto: mrr sampled, recall@20 full)"));
  k.push_back(option("compare_to_target_only", &TransferOptions::compare_to_target_only,
                     "also run target_only for the negative-transfer verdict"));
  k.push_back(option("seed", &TransferOptions::seed, "seed of initialisation and sampling").at_least(0));
  k.push_back(option("threads", &TransferOptions::threads, "intra-op threads (0: cores divided by --jobs)")
                  .at_least(0)
                  .not_identity());
  k.push_back(option("bridge_weight", &TransferOptions::bridge_weight,
                     "adaptation: weight of scoring the target interactions of users active in both domains from "
                     "their source-graph representations (what cold-start users are scored from); 0: off")
                  .at_least(0));
  k.push_back(option("verbose", &TransferOptions::verbose, "a progress line per epoch").not_identity());
  k.push_back(option("keep_representations", &TransferOptions::keep_representations,
                     "write embeddings_before.csv / embeddings_after.csv (sampled user representations of both "
                     "graphs) into the trial directory, for scripts/plot.py"));

  std::vector<KeySpec> out;
  for (Key& key : k) out.push_back(std::move(key.spec));
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string show(const json& value) { return value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump(); }

void check_number(const KeySpec& spec, double v, const json& shown, const Origin& origin) {
  std::ostringstream rule;
  if (spec.min && (spec.min_open ? !(v > *spec.min) : !(v >= *spec.min))) {
    rule << "must be " << (spec.min_open ? "> " : ">= ") << *spec.min;
  } else if (spec.max && (spec.max_open ? !(v < *spec.max) : !(v <= *spec.max))) {
    rule << "must be " << (spec.max_open ? "< " : "<= ") << *spec.max;
  }
  if (!rule.str().empty()) fail_at(origin, spec.key + " " + rule.str() + ", got " + shown.dump());
}

}  // namespace

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::kBool: return "bool";
    case ValueType::kInt: return "int";
    case ValueType::kFloat: return "float";
    case ValueType::kString: return "string";
    case ValueType::kIntList: return "int list";
    case ValueType::kFloatList: return "float list";
  }
  return "?";
}

std::string Origin::str() const {
  if (!file.empty()) return file + ":" + std::to_string(line);
  if (!set.empty()) return "--set " + set;
  return "defaults";
}

void fail_at(const Origin& origin, const std::string& what) { throw io::UsageError(origin.str() + ": " + what); }

const std::vector<KeySpec>& config_schema() {
  static const std::vector<KeySpec> schema = build_schema();
  return schema;
}

const KeySpec* find_key(const std::string& key) {
  for (const KeySpec& spec : config_schema()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

bool is_section(const std::string& prefix) {
  for (const KeySpec& spec : config_schema()) {
    if (spec.key.size() > prefix.size() && spec.key.compare(0, prefix.size(), prefix) == 0 &&
        spec.key[prefix.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (!best || d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  if (best && best_distance <= std::max<size_t>(2, word.size() / 3)) return " (did you mean '" + *best + "'?)";
  // A key given without its section ("epochs" for "adapt.epochs").
  for (const std::string& c : candidates) {
    const size_t dot = c.rfind('.');
    if (dot != std::string::npos && c.substr(dot + 1) == word) return " (did you mean '" + c + "'?)";
  }
  return "";
}

std::string suggest_key(const std::string& key) {
  std::vector<std::string> keys;
  for (const KeySpec& spec : config_schema()) keys.push_back(spec.key);
  return did_you_mean(key, keys);
}

void check_value(const KeySpec& spec, const json& value, const Origin& origin) {
  switch (spec.type) {
    case ValueType::kInt:
    case ValueType::kFloat:
      check_number(spec, value.get<double>(), value, origin);
      break;
    case ValueType::kIntList:
    case ValueType::kFloatList:
      for (const json& x : value) check_number(spec, x.get<double>(), x, origin);
      break;
    case ValueType::kString: {
      const std::string s = value.get<std::string>();
      // An empty string is accepted where the default is empty: the key is unset.
      if (!spec.choices || (s.empty() && spec.default_value == "")) break;
      const std::vector<std::string> valid = spec.choices();
      if (std::find(valid.begin(), valid.end(), s) == valid.end()) {
        fail_at(origin, spec.key + ": unknown value " + show(value) + "; valid: " + join(valid) + did_you_mean(s, valid));
      }
      break;
    }
    case ValueType::kBool:
      break;
  }
}

Settings default_settings() {
  Settings settings;
  for (const KeySpec& spec : config_schema()) settings[spec.key] = Setting{spec.default_value, Origin{}};
  return settings;
}

transfer::TransferOptions to_transfer_options(const Settings& settings) {
  TransferOptions options;
  for (const KeySpec& spec : config_schema()) {
    if (spec.apply) spec.apply(settings.at(spec.key).value, options);
  }
  const int64_t encoder_seed = settings.at("encoder.seed").value.get<int64_t>();
  options.encoder.seed = encoder_seed < 0 ? options.seed : static_cast<uint64_t>(encoder_seed);
  for (const char* key : {"source", "target"}) {
    const Setting& s = settings.at(key);
    if (s.value.get<std::string>().empty()) fail_at(s.origin, std::string(key) + " is not set: name a domain");
  }
  transfer::validate(options);
  return options;
}

json identity_json(const Settings& settings) {
  json out = json::object();
  for (const KeySpec& spec : config_schema()) {
    if (spec.identity) out[spec.key] = settings.at(spec.key).value;
  }
  return out;
}

std::string format_schema() {
  size_t key_width = 0, type_width = 0, default_width = 0;
  for (const KeySpec& spec : config_schema()) {
    key_width = std::max(key_width, spec.key.size());
    type_width = std::max(type_width, std::string(type_name(spec.type)).size());
    default_width = std::max(default_width, spec.default_value.dump().size());
  }
  std::ostringstream out;
  out << std::left << std::setw(key_width + 2) << "key" << std::setw(type_width + 2) << "type"
      << std::setw(default_width + 2) << "default" << "description\n";
  for (const KeySpec& spec : config_schema()) {
    std::string doc = spec.doc;
    if (spec.choices) doc += " [" + join(spec.choices()) + "]";
    out << std::setw(key_width + 2) << spec.key << std::setw(type_width + 2) << type_name(spec.type)
        << std::setw(default_width + 2) << spec.default_value.dump() << doc << "\n";
  }
  return out.str();
}

}  // namespace graft::exp
