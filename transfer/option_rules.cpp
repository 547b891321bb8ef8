// The rule table and validate(). Each rule is bound to its field by member pointers, which gives
// the type, the default (from a default-constructed TransferOptions), the getter and the setter in
// one place. Where the YAML schema and validate() used to disagree, the table keeps the stricter
// rule that still allows every meaningful value (meta.inner_steps ≥ 1, meta.meta_lr in (0, 1], ...).
#include "transfer/option_rules.h"

#include "gnn/device.h"
#include "graph_io/dataset.h"

#include <algorithm>
#include <sstream>
#include <type_traits>
#include <utility>

#include "transfer/transfer.h"

namespace graft::transfer {

namespace {

using nlohmann::json;

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

// A rule bound to the field path(options) names; `path` takes a TransferOptions, const or not.
template <typename Path>
OptionRule bound(std::string key, Path path, std::string doc) {
  using F = std::decay_t<decltype(path(std::declval<TransferOptions&>()))>;
  const TransferOptions defaults{};
  OptionRule rule = unbound_rule(std::move(key), type_of<F>(), json(path(defaults)), std::move(doc));
  rule.get = [path](const TransferOptions& o) { return json(path(o)); };
  rule.set = [path](const json& v, TransferOptions& o) { path(o) = v.get<F>(); };
  return rule;
}

template <typename F>
OptionRule option(std::string key, F TransferOptions::*field, std::string doc) {
  return bound(std::move(key), [field](auto& o) -> auto& { return o.*field; }, std::move(doc));
}

template <typename P, typename F>
OptionRule option(std::string key, P TransferOptions::*part, F P::*field, std::string doc) {
  return bound(std::move(key), [part, field](auto& o) -> auto& { return o.*part.*field; }, std::move(doc));
}

void add_phase(std::vector<OptionRule>& rules, const std::string& name, PhaseOptions TransferOptions::*part,
               const std::string& what) {
  rules.push_back(option(name + ".epochs", part, &PhaseOptions::epochs, what + ": training epochs").at_least(0));
  rules.push_back(option(name + ".batch_size", part, &PhaseOptions::batch_size, what + ": triples per batch").at_least(1));
  rules.push_back(option(name + ".lr", part, &PhaseOptions::lr, what + ": Adam learning rate").above(0));
  rules.push_back(option(name + ".weight_decay", part, &PhaseOptions::weight_decay,
                         what + ": L2 on the batch's ID embeddings")
                      .at_least(0));
  rules.push_back(option(name + ".eval_every", part, &PhaseOptions::eval_every,
                         what + ": validate after every N-th epoch")
                      .at_least(1));
  rules.push_back(option(name + ".patience", part, &PhaseOptions::patience,
                         what + ": evaluations without improvement before stopping (0: never)")
                      .at_least(0));
}

// What runs on what.
void add_task_rules(std::vector<OptionRule>& r) {
  r.push_back(option("method", &TransferOptions::method, "transfer method").one_of(method_names));
  r.push_back(option("source", &TransferOptions::source,
                     "source domain, or several comma-separated (trained as one, linked items merged)"));
  r.push_back(option("target", &TransferOptions::target, "target domain"));
  r.push_back(option("split", &TransferOptions::split, "split of the dataset (made under this name for generated data)"));
}

// The encoder, the typed graph and the node inputs.
void add_model_rules(std::vector<OptionRule>& r) {
  using gnn::EncoderOptions;
  r.push_back(option("encoder.dim", &TransferOptions::encoder, &EncoderOptions::dim, "embedding and layer width").at_least(1));
  r.push_back(option("encoder.layers", &TransferOptions::encoder, &EncoderOptions::layers, "message-passing layers K")
                  .at_least(0));
  r.push_back(option("encoder.layer", &TransferOptions::encoder, &EncoderOptions::layer, "layer type")
                  .one_of(gnn::layer_names));
  r.push_back(option("encoder.combine", &TransferOptions::encoder, &EncoderOptions::combine, "how layer outputs combine")
                  .one_of(gnn::combine_names));
  r.push_back(option("encoder.activation", &TransferOptions::encoder, &EncoderOptions::activation, "σ of the head")
                  .one_of(gnn::activation_names));
  r.push_back(option("encoder.head", &TransferOptions::encoder, &EncoderOptions::head, "false: h = z (no head)"));
  r.push_back(option("encoder.decay_weights", &TransferOptions::encoder, &EncoderOptions::decay_weights,
                     "the L2 term also covers the head (‖θ − I‖² + ‖b‖²) and the layers' weight matrices"));
  r.push_back(option("encoder.dropout", &TransferOptions::encoder, &EncoderOptions::dropout,
                     "dropout on each layer's output")
                  .at_least(0)
                  .below(1));
  r.push_back(option("encoder.heads", &TransferOptions::encoder, &EncoderOptions::heads, "attention heads (gat)")
                  .at_least(1));
  r.push_back(option("encoder.relation_weights", &TransferOptions::encoder, &EncoderOptions::relation_weights,
                     "relational layer: a weight per relation, one shared, or none")
                  .one_of(gnn::relational_weight_names));
  r.push_back(option("encoder.relation_combine", &TransferOptions::encoder, &EncoderOptions::relation_combine,
                     "relational layer: how a node's relation messages combine")
                  .one_of(gnn::relational_combine_names));
  r.push_back(option("encoder.seed", &TransferOptions::encoder, &EncoderOptions::seed, "seed of layer and head initialisation")
                  .at_least(0));

  r.push_back(option("graph.categories", &TransferOptions::graph, &GraphSpec::categories,
                     "item–category edges; categories with the same name are one node across domains"));
  r.push_back(option("graph.behaviours", &TransferOptions::graph, &GraphSpec::behaviours,
                     "one user–item relation per behaviour type (view, cart, fav, buy)"));

  r.push_back(option("features.items", &TransferOptions::features, &FeatureOptions::items,
                     "layer-0 input of item nodes: ID embedding, projected features, or both")
                  .one_of(gnn::node_input_sources));
  r.push_back(option("features.users", &TransferOptions::features, &FeatureOptions::users,
                     "layer-0 input of user nodes (features: the target's user blocks)")
                  .one_of(gnn::node_input_sources));
  r.push_back(option("features.combine", &TransferOptions::features, &FeatureOptions::combine,
                     "both: sum, or concatenation then a learnt projection")
                  .one_of(gnn::node_input_combines));
  r.push_back(option("features.id_dropout", &TransferOptions::features, &FeatureOptions::id_dropout,
                     "both: share of ID embeddings dropped per training step, so features learn to stand alone")
                  .at_least(0)
                  .at_most(1));
  r.push_back(option("features.blocks", &TransferOptions::features, &FeatureOptions::blocks,
                     "comma-separated feature blocks to read (empty: every item block both domains have)"));
}

// Initialisation, loss, the two training phases and fine-tuning.
void add_training_rules(std::vector<OptionRule>& r) {
  r.push_back(option("init_std", &TransferOptions::init_std, "ID embeddings ~ N(0, init_std²)").above(0));
  r.push_back(option("loss", &TransferOptions::loss, "recommendation loss").one_of({"bpr", "bce"}));
  add_phase(r, "pretrain", &TransferOptions::pretrain, "source pretraining");
  r.push_back(option("pretrain.steps", &TransferOptions::pretrain, &PhaseOptions::steps,
                     "source pretraining: optimiser steps (rounded up to whole epochs) instead of epochs; 0: epochs")
                  .at_least(0));
  add_phase(r, "adapt", &TransferOptions::adapt, "target adaptation");

  r.push_back(option("finetune.mode", &TransferOptions::finetune, &FinetuneOptions::mode, "what fine-tuning trains")
                  .one_of({"full", "frozen_encoder", "last_k", "discriminative", "l2sp", "adapter", "lora"}));
  r.push_back(option("finetune.last_k", &TransferOptions::finetune, &FinetuneOptions::last_k, "last_k: layers trained")
                  .at_least(1));
  r.push_back(option("finetune.lr_decay", &TransferOptions::finetune, &FinetuneOptions::lr_decay,
                     "discriminative: lr of layer k = lr·decay^(K−k)")
                  .above(0)
                  .at_most(1));
  r.push_back(option("finetune.l2sp_weight", &TransferOptions::finetune, &FinetuneOptions::l2sp_weight,
                     "l2sp: weight of ‖w − w_source‖²")
                  .at_least(0));
  r.push_back(option("finetune.adapter_bottleneck", &TransferOptions::finetune, &FinetuneOptions::adapter_bottleneck,
                     "adapter: width of each residual bottleneck MLP")
                  .at_least(1));
  r.push_back(option("finetune.lora_rank", &TransferOptions::finetune, &FinetuneOptions::lora_rank,
                     "lora: rank r of each low-rank update A·B")
                  .at_least(1));
}

// Alignment and mapping methods.
void add_alignment_rules(std::vector<OptionRule>& r) {
  r.push_back(option("align.weight", &TransferOptions::align, &AlignOptions::weight,
                     "λ_max of the adversary / weight of the MMD or CORAL loss")
                  .at_least(0));
  r.push_back(option("align.gamma", &TransferOptions::align, &AlignOptions::gamma, "λ schedule steepness γ").at_least(0));
  r.push_back(option("align.hidden", &TransferOptions::align, &AlignOptions::hidden, "discriminator hidden width")
                  .at_least(1));
  r.push_back(option("align.batch_users", &TransferOptions::align, &AlignOptions::batch_users,
                     "users per graph per alignment step")
                  .at_least(2));
  r.push_back(option("align.bandwidths", &TransferOptions::align, &AlignOptions::bandwidths,
                     "MMD Gaussian bandwidths (× median distance)")
                  .above(0));
  r.push_back(option("align.source_weight", &TransferOptions::align, &AlignOptions::source_weight,
                     "weight of the source loss kept during adaptation")
                  .at_least(0));
  r.push_back(option("align.on", &TransferOptions::align, &AlignOptions::on,
                     "what to align: users, items (linked items' two representations), auto (users when shared)")
                  .one_of({"auto", "users", "items"}));
  r.push_back(option("multi_source.weights", &TransferOptions::multi_source, &MultiSourceOptions::weights,
                     "multi_source: expert weights, equal or chosen on validation (greedy ensemble selection)")
                  .one_of({"validation", "equal"}));
  r.push_back(option("multi_source.rounds", &TransferOptions::multi_source, &MultiSourceOptions::rounds,
                     "multi_source validation weights: greedy picks (weights are multiples of 1/rounds)")
                  .at_least(1));
  r.push_back(option("multi_source.seed_experts", &TransferOptions::multi_source, &MultiSourceOptions::seed_experts,
                     "multi_source: further target-alone experts with derived seeds, beside the sources' (or the "
                     "control's)")
                  .at_least(0));
  r.push_back(option("multi_source.experts", &TransferOptions::multi_source, &MultiSourceOptions::experts,
                     "multi_source experts: one per source, or the control of target-alone experts with other seeds")
                  .one_of({"sources", "seeds"}));

  r.push_back(option("mapping.kind", &TransferOptions::mapping, &MappingOptions::kind, "mapping function")
                  .one_of({"linear", "mlp"}));
  r.push_back(option("mapping.hidden", &TransferOptions::mapping, &MappingOptions::hidden, "mlp hidden width").at_least(1));
  r.push_back(option("mapping.epochs", &TransferOptions::mapping, &MappingOptions::epochs, "mapping training epochs")
                  .at_least(0));
  r.push_back(option("mapping.lr", &TransferOptions::mapping, &MappingOptions::lr, "mapping learning rate").above(0));
}

// The other methods' own options.
// The keys of the CDRIB port, named as the reference's command-line arguments where it has one.
void add_cdrib_rules(std::vector<OptionRule>& r) {
  const auto cdrib = [](std::string key, auto field, std::string doc) {
    return option("cdrib." + key, &TransferOptions::cdrib, field, "cdrib: " + doc);
  };
  r.push_back(cdrib("dim", &CdribOptions::dim, "feature_dim = hidden_dim").at_least(1));
  r.push_back(cdrib("layers", &CdribOptions::layers, "GNN layers (the last one variational)").at_least(1));
  r.push_back(cdrib("dropout", &CdribOptions::dropout, "dropout on every layer's input").at_least(0).below(1));
  r.push_back(cdrib("leaky", &CdribOptions::leaky, "LeakyReLU slope of the graph convolutions").at_least(0));
  r.push_back(cdrib("beta", &CdribOptions::beta, "weight of the user KL term").at_least(0));
  r.push_back(cdrib("bottleneck", &CdribOptions::bottleneck, "variational last layer and KL terms (false: ablation)"));
  r.push_back(cdrib("critic_weight", &CdribOptions::critic_weight, "weight of the critic (0: ablation)").at_least(0));
  r.push_back(cdrib("critic", &CdribOptions::critic, "critic loss").one_of({"hinge", "bce"}));
  r.push_back(cdrib("margin", &CdribOptions::margin, "hinge margin").at_least(0));
  r.push_back(cdrib("critic_users", &CdribOptions::critic_users, "shared users per critic batch").at_least(1));
  r.push_back(cdrib("epochs", &CdribOptions::epochs, "training epochs").at_least(0));
  r.push_back(cdrib("batch_size", &CdribOptions::batch_size, "interactions of both domains per step").at_least(1));
  r.push_back(cdrib("lr", &CdribOptions::lr, "Adam learning rate").above(0));
  r.push_back(cdrib("weight_decay", &CdribOptions::weight_decay, "coupled L2 on every parameter").at_least(0));
  r.push_back(cdrib("lr_decay", &CdribOptions::lr_decay, "learning-rate factor when source validation MRR stalls")
                  .above(0)
                  .at_most(1));
  r.push_back(cdrib("decay_after", &CdribOptions::decay_after, "evaluations before the decay may start").at_least(0));
  r.push_back(cdrib("eval_from", &CdribOptions::eval_from, "first evaluated epoch").at_least(1));
  r.push_back(cdrib("eval_every", &CdribOptions::eval_every, "then every this many epochs").at_least(1));
}

void add_method_rules(std::vector<OptionRule>& r) {
  r.push_back(option("meta.meta_epochs", &TransferOptions::meta, &MetaOptions::meta_epochs, "Reptile epochs").at_least(0));
  r.push_back(option("meta.tasks_per_step", &TransferOptions::meta, &MetaOptions::tasks_per_step, "users per meta step")
                  .at_least(1));
  r.push_back(option("meta.inner_steps", &TransferOptions::meta, &MetaOptions::inner_steps, "inner SGD steps per task")
                  .at_least(1));
  r.push_back(option("meta.inner_lr", &TransferOptions::meta, &MetaOptions::inner_lr, "inner learning rate").above(0));
  r.push_back(option("meta.meta_lr", &TransferOptions::meta, &MetaOptions::meta_lr,
                     "Reptile step toward the adapted weights")
                  .above(0)
                  .at_most(1));

  r.push_back(option("instance_weighting.estimator_epochs", &TransferOptions::instance_weighting,
                     &InstanceWeightOptions::estimator_epochs, "domain-classifier epochs")
                  .at_least(1));
  r.push_back(option("instance_weighting.clip", &TransferOptions::instance_weighting, &InstanceWeightOptions::clip,
                     "weights clipped to [1/clip, clip]")
                  .at_least(1));

  r.push_back(option("bottleneck.beta", &TransferOptions::bottleneck, &BottleneckOptions::beta,
                     "vib: weight of the KL term of user representations")
                  .at_least(0));
  r.push_back(option("bottleneck.init_sigma", &TransferOptions::bottleneck, &BottleneckOptions::init_sigma,
                     "vib: initial σ of the representation noise")
                  .above(0));
  r.push_back(option("bottleneck.contrastive", &TransferOptions::bottleneck, &BottleneckOptions::contrastive,
                     "vib: weight of InfoNCE between a shared user's source- and target-graph representations")
                  .at_least(0));
  r.push_back(option("bottleneck.temperature", &TransferOptions::bottleneck, &BottleneckOptions::temperature,
                     "vib: InfoNCE temperature")
                  .above(0));

  add_cdrib_rules(r);

  r.push_back(option("similarity.neighbours", &TransferOptions::similarity, &gnn::ItemSimilarityOptions::neighbours,
                     "itemknn: neighbours kept per target item")
                  .at_least(1));
  r.push_back(option("similarity.shrink", &TransferOptions::similarity, &gnn::ItemSimilarityOptions::shrink,
                     "itemknn: cosine shrinkage")
                  .at_least(0));
  r.push_back(option("similarity.lambda", &TransferOptions::similarity, &gnn::ItemSimilarityOptions::lambda,
                     "ease: L2 weight λ")
                  .above(0));
  r.push_back(option("similarity.rank", &TransferOptions::similarity, &gnn::ItemSimilarityOptions::rank,
                     "gfcf: singular vectors of the ideal low-pass filter")
                  .at_least(0));
  r.push_back(option("similarity.alpha", &TransferOptions::similarity, &gnn::ItemSimilarityOptions::alpha,
                     "gfcf: weight of the ideal low-pass filter"));
  r.push_back(option("similarity.memory_budget_mb", &TransferOptions::similarity,
                     &gnn::ItemSimilarityOptions::memory_budget_mb,
                     "itemknn, ease, gfcf, cooccurrence: refuse a fit needing more memory (MiB)")
                  .above(0));
  r.push_back(option("neighbourhood.mix", &TransferOptions::neighbourhood, &NeighbourhoodOptions::mix,
                     "shared_neighbours: weight of the shared-neighbourhood representation of cold-start users")
                  .at_least(0)
                  .at_most(1));
}

// Evaluation, seeds and run-time settings.
void add_evaluation_rules(std::vector<OptionRule>& r) {
  r.push_back(option("protocol", &TransferOptions::protocol, "target evaluation protocol")
                  .one_of({"auto", "sampled", "full"}));
  r.push_back(option("ks", &TransferOptions::ks, "cut-offs K (empty: the protocol's defaults)").at_least(1));
  r.push_back(option("selection_metric", &TransferOptions::selection_metric,
                     "validation metric for model selection (auto: mrr sampled, recall@20 full)"));
  r.push_back(option("compare_to_target_only", &TransferOptions::compare_to_target_only,
                     "also run target_only for the negative-transfer verdict"));
  r.push_back(option("rank_all_items", &TransferOptions::rank_all_items,
                     "full protocol: also rank the target's test items among every source and target item"));
  r.push_back(option("seed", &TransferOptions::seed, "seed of initialisation and sampling").at_least(0));
  r.push_back(option("threads", &TransferOptions::threads, "intra-op threads (0: cores divided by --jobs)")
                  .at_least(0)
                  .not_identity());
  r.push_back(option("bridge_weight", &TransferOptions::bridge_weight,
                     "adaptation: weight of scoring the target interactions of users active in both domains from "
                     "their source-graph representations (what cold-start users are scored from); 0: off")
                  .at_least(0));
  r.push_back(option("link_items", &TransferOptions::link_items,
                     "shared items (same external id): one node in the union graph; fine-tuning starts them from "
                     "the source"));
  r.push_back(option("device", &TransferOptions::device,
                     "where the run's tensors live: cpu, cuda or cuda:N (transfer methods: cpu for now)"));
  r.push_back(option("verbose", &TransferOptions::verbose, "a progress line per epoch").not_identity());
  r.push_back(option("keep_representations", &TransferOptions::keep_representations,
                     "write embeddings_before.csv / embeddings_after.csv (sampled user representations of both "
                     "graphs) into the trial directory, for scripts/plot.py"));
}

std::vector<OptionRule> build_rules() {
  std::vector<OptionRule> r;
  add_task_rules(r);
  add_model_rules(r);
  add_training_rules(r);
  add_alignment_rules(r);
  add_method_rules(r);
  add_evaluation_rules(r);
  return r;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

// The violation of a string rule's choices, or "".
std::string choice_violation(const OptionRule& rule, const std::string& value) {
  if (!rule.choices) return "";
  const std::vector<std::string> valid = rule.choices();
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return "";
  return "must be one of " + join(valid) + ", got '" + value + "'";
}

[[noreturn]] void bad(std::vector<std::string> keys, const std::string& problem) {
  throw OptionError(keys, "transfer option " + keys.front() + " " + problem);
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

OptionRule& OptionRule::at_least(double v) {
  min = v;
  min_open = false;
  return *this;
}

OptionRule& OptionRule::above(double v) {
  min = v;
  min_open = true;
  return *this;
}

OptionRule& OptionRule::at_most(double v) {
  max = v;
  max_open = false;
  return *this;
}

OptionRule& OptionRule::below(double v) {
  max = v;
  max_open = true;
  return *this;
}

OptionRule& OptionRule::one_of(std::function<std::vector<std::string>()> names) {
  choices = std::move(names);
  return *this;
}

OptionRule& OptionRule::one_of(std::vector<std::string> names) {
  choices = [names = std::move(names)] { return names; };
  return *this;
}

OptionRule& OptionRule::not_identity() {
  identity = false;
  return *this;
}

bool OptionRule::in_range(double v) const {
  if (min && !(min_open ? v > *min : v >= *min)) return false;
  if (max && !(max_open ? v < *max : v <= *max)) return false;
  return true;
}

std::string OptionRule::range_text() const {
  std::ostringstream text;
  if (min && max) {
    text << "must be in " << (min_open ? "(" : "[") << *min << ", " << *max << (max_open ? ")" : "]");
  } else if (min) {
    text << "must be " << (min_open ? "> " : ">= ") << *min;
  } else if (max) {
    text << "must be " << (max_open ? "< " : "<= ") << *max;
  }
  return text.str();
}

std::string OptionRule::range_violation(const json& value) const {
  for (const json& x : value.is_array() ? value : json::array({value})) {
    if (!in_range(x.get<double>())) return range_text() + ", got " + x.dump();
  }
  return "";
}

OptionRule unbound_rule(std::string key, ValueType type, json default_value, std::string doc) {
  OptionRule rule;
  rule.key = std::move(key);
  rule.type = type;
  rule.default_value = std::move(default_value);
  rule.doc = std::move(doc);
  return rule;
}

const std::vector<OptionRule>& option_rules() {
  static const std::vector<OptionRule> rules = build_rules();
  return rules;
}

const OptionRule* find_option_rule(const std::string& key) {
  for (const OptionRule& rule : option_rules()) {
    if (rule.key == key) return &rule;
  }
  return nullptr;
}

void validate(const TransferOptions& o) {
  for (const OptionRule& rule : option_rules()) {
    const json value = rule.get(o);
    std::string problem;
    if (rule.type == ValueType::kString) {
      problem = choice_violation(rule, value.get<std::string>());
    } else if (rule.type != ValueType::kBool) {
      problem = rule.range_violation(value);
    }
    if (!problem.empty()) bad({rule.key}, problem);
  }
  // What relates keys, or is not a range.
  if (const std::string problem = gnn::device_problem(o.device); !problem.empty()) bad({"device"}, "'" + o.device + "': " + problem);
  if (o.device != "cpu") {
    bad({"device"}, "'" + o.device + "': the transfer methods' models and objectives run on the CPU only for now "
                    "(graft train moves lightgcn and bprmf to a GPU); use cpu");
  }
  if (o.source.empty()) bad({"source"}, "is not set: name a domain");
  if (o.target.empty()) bad({"target"}, "is not set: name a domain");
  const std::vector<std::string> sources = io::split_names(o.source);
  for (size_t k = 0; k < sources.size(); ++k) {
    if (sources[k] == o.target) {
      bad({"target", "source"}, "names the same domain '" + o.target + "' as source; name two domains");
    }
    if (std::find(sources.begin(), sources.begin() + k, sources[k]) != sources.begin() + k) {
      bad({"source"}, "names domain '" + sources[k] + "' twice");
    }
  }
  if (o.split.empty()) bad({"split"}, "is not set: name a split of the dataset");
  if (o.encoder.dim % o.encoder.heads != 0) {
    bad({"encoder.heads", "encoder.dim"},
        "must divide encoder.dim = " + std::to_string(o.encoder.dim) + ", got " + std::to_string(o.encoder.heads));
  }
  if (o.align.bandwidths.empty()) bad({"align.bandwidths"}, "must not be empty");
  if (o.features.id_dropout > 0 && o.features.items != "both" && o.features.users != "both") {
    bad({"features.id_dropout", "features.items"},
        "drops ID embeddings so that features learn to stand alone, which needs features.items (or "
        "features.users) = both, got " + o.features.items);
  }
}

}  // namespace graft::transfer
