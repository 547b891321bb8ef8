// The registered transfer methods. Each is a recipe over CrossDomainModel and the adaptation
// loop of adaptation.h; see transfer/transfer.h and the issue for what each is for.
#include "gnn/losses.h"
#include "gnn/spmm.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "transfer/adaptation.h"
#include "transfer/discrepancy.h"
#include "transfer/transfer.h"

#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <sstream>

namespace graft::transfer {
namespace {


// Discrepancy between the source-graph representations of source-active users and the
// target-graph representations of target-active users (up to 2,000 of each).
// With keep_representations, also keeps a sample of the representations in the log. Needs users
// active in each domain (the caller checks has_both_sides).
Discrepancy user_discrepancy(CrossDomainModel& model, const TransferTask& task, const std::string& tag, FitLog& log) {
  torch::NoGradGuard no_grad;
  const uint64_t seed = io::derive_seed(task.options.seed, "discrepancy/" + tag);
  const torch::Tensor s = model.represent(GraphKind::kSource).users;
  const torch::Tensor t = model.represent(GraphKind::kTarget).users;
  if (task.options.keep_representations) log.sample_before = sample_representations(task, s, t, 1000, seed + 3);
  return measure_discrepancy(sample_rows(s, task.source_sampler->active_users(), 2000, seed),
                             sample_rows(t, task.target_sampler->active_users(), 2000, seed + 1), seed + 2);
}

// A method whose state is one CrossDomainModel and a way of scoring the target with it.
class ModelMethod : public TransferMethod {
 public:
  gnn::Representations target_representations() override {
    torch::NoGradGuard no_grad;
    model_->eval();
    gnn::Representations reps = scoring_(*model_);
    return {reps.users.detach(), reps.items.detach()};
  }

  std::optional<std::pair<torch::Tensor, torch::Tensor>> domain_user_representations() override {
    torch::NoGradGuard no_grad;
    model_->eval();
    return std::make_pair(model_->represent(GraphKind::kSource).users, model_->represent(GraphKind::kTarget).users);
  }

 protected:
  void build(const TransferTask& task) { model_ = std::make_shared<CrossDomainModel>(task, task.options); }

  // Pretrains on the source and records the discrepancy before adaptation.
  void pretrain(const TransferTask& task, FitLog& log) {
    pretrain_source(*model_, task, log);
    if (has_both_sides(task)) log.before = user_discrepancy(*model_, task, "before", log);
  }

  std::shared_ptr<CrossDomainModel> model_;
  ScoringFunction scoring_ = cold_from_source_graph;
};

class TargetOnly : public ModelMethod {
 public:
  std::string name() const override { return "target_only"; }
  bool needs_shared_users() const override { return false; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    scoring_ = [&task](CrossDomainModel& m) {
      return with_popularity_fallback(m.with_item_bias(m.represent(GraphKind::kTarget), GraphKind::kTarget), task);
    };
    if (task.num_cold_users() > 0) {
      log.notes.push_back("target_only: cold-start users have no target history and are scored by target item "
                          "popularity (training interactions per item)");
    }
    AdaptationPlan plan;
    plan.scoring = scoring_;
    adapt(*model_, task, plan, log);
  }
};

class SourceOnly : public TransferMethod {
 public:
  std::string name() const override { return "source_only"; }
  void fit(const TransferTask& task, FitLog& log) override {
    model_ = std::make_shared<CrossDomainModel>(task, task.options);
    pretrain_source(*model_, task, log);
    const auto start = Clock::now();
    torch::NoGradGuard no_grad;
    model_->eval();
    users_ = model_->represent(GraphKind::kSource).users;
    // Zero-shot items: the mean source representation of each target item's training users that
    // have one (users active in both domains; the others have no source graph to be read from).
    const int64_t U = task.num_users, I = task.target_items;
    const ItemUserEdges edges = item_user_edges(task.target_graph, U, task.shared_users);
    const gnn::SparseGraph item_user =
        gnn::SparseGraph::from_coo(I, U, edges.items, edges.users, torch::ones({edges.items.size(0)}));
    const torch::Tensor degree = torch::bincount(edges.items, {}, I).clamp_min(1).to(torch::kFloat).unsqueeze(1);
    items_ = gnn::spmm(item_user, users_) / degree;
    log.notes.push_back("source_only: no target training; target items are represented by the mean source-graph "
                        "representation of their training users active in both domains (zero for items without "
                        "such users)");
    log.phase_seconds["adapt"] += seconds_since(start);
  }
  gnn::Representations target_representations() override { return {users_, items_}; }

 private:
  std::shared_ptr<CrossDomainModel> model_;
  torch::Tensor users_, items_;
};

class Joint : public ModelMethod {
 public:
  std::string name() const override { return "joint"; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    if (has_both_sides(task)) log.before = user_discrepancy(*model_, task, "before", log);
    scoring_ = union_scoring;
    AdaptationPlan plan;
    plan.phase = "joint";
    plan.graph = GraphKind::kUnion;
    plan.source_weight = 1.0;
    plan.scoring = scoring_;
    adapt(*model_, task, plan, log);
  }
};

// Pretrain on the source, then fine-tune on the target in `mode` (empty: options.finetune.mode),
// optionally aligning source-graph and target-graph user representations.
class Finetune : public ModelMethod {
 public:
  Finetune(std::string name, std::string mode, std::string alignment)
      : name_(std::move(name)), mode_(std::move(mode)), alignment_(std::move(alignment)) {}
  std::string name() const override { return name_; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    pretrain(task, log);
    AdaptationPlan plan;
    plan.finetune_mode = mode_.empty() ? task.options.finetune.mode : mode_;
    if (plan.finetune_mode == "l2sp") plan.anchor = model_->snapshot();
    plan.alignment = alignment_;
    plan.bridge_weight = task.options.bridge_weight;
    if (!alignment_.empty()) plan.source_weight = task.options.align.source_weight;
    adapt(*model_, task, plan, log);
  }

 private:
  std::string name_, mode_, alignment_;
};

// After CDRIB: pretrain, then adapt on both domains at once with the bridge in both directions
// (a shared user's source-graph representation scores its target items and its target-graph
// representation its source items), a variational bottleneck on user representations and InfoNCE
// between each shared user's two representations (BottleneckOptions). Cold-start users are
// scored from the mean of their source-graph representation.
class VariationalBridge : public ModelMethod {
 public:
  std::string name() const override { return "vib"; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    pretrain(task, log);
    AdaptationPlan plan;
    plan.source_weight = 1.0;
    plan.bridge_weight = task.options.bridge_weight;
    plan.reverse_bridge = true;
    plan.kl_weight = task.options.bottleneck.beta;
    plan.contrastive_weight = task.options.bottleneck.contrastive;
    adapt(*model_, task, plan, log);
  }
};

// Cross-domain item-to-item co-occurrence as dot products: the two propagation steps of
// SharedNeighbourhood (user → source items → shared users who took them) applied to one-hot
// shared users give users [U, |S|], matched with items [I_t, |S|] (1 where shared user s took
// target item g in training), so users[u]·items[g] = Σ_v (1/√n_u)(1/√|S_v|) #{s ∈ S_v : s took g}.
// nullopt when either table would exceed 2^28 floats (1 GiB).
std::optional<gnn::Representations> cooccurrence_representations(const TransferTask& task) {
  const int64_t U = task.num_users, I = task.target_items, S = static_cast<int64_t>(task.shared_users.size());
  constexpr int64_t kMaxElements = int64_t{1} << 28;
  if (U * (S + 1) > kMaxElements || I * (S + 1) > kMaxElements) return std::nullopt;
  torch::NoGradGuard no_grad;
  const torch::Tensor shared = as_index(task.shared_users);
  torch::Tensor one_hot = torch::zeros({U, S});
  one_hot.index_put_({shared, torch::arange(S)}, 1.0f);
  const torch::Tensor users = SharedNeighbourhood(task)(one_hot);
  // Column k of both tables is shared user task.shared_users[k].
  torch::Tensor column = torch::full({U}, int64_t{-1}, torch::kInt64);
  column.index_put_({shared}, torch::arange(S));
  const ItemUserEdges taken = item_user_edges(task.target_graph, U, task.shared_users);
  torch::Tensor items = torch::zeros({I, S});
  items.index_put_({taken.items, column.index_select(0, taken.users)}, 1.0f);
  return gnn::Representations{users, items};
}

// The non-neural baseline of shared_neighbours, without any training:
//     score(u, g) = co-occurrence(u, g) + ε·log(1 + pop_g),   ε = 1e-3
// popularity only breaking ties and ranking the users no shared user reaches.
class Cooccurrence : public TransferMethod {
 public:
  std::string name() const override { return "cooccurrence"; }
  void fit(const TransferTask& task, FitLog& log) override {
    const auto start = Clock::now();
    const std::optional<gnn::Representations> counts = cooccurrence_representations(task);
    if (!counts) {
      throw io::UsageError("cooccurrence: " + std::to_string(task.num_users) + " users × " +
                           std::to_string(task.shared_users.size()) +
                           " shared users is too large for dense co-occurrence representations; use "
                           "shared_neighbours");
    }
    const torch::Tensor popularity = log_popularity(task).to(torch::kFloat);
    users_ = torch::cat({counts->users, torch::ones({task.num_users, 1})}, 1);
    items_ = torch::cat({counts->items, 1e-3 * popularity}, 1);
    log.notes.push_back("cooccurrence: no training; target items are scored by co-occurrence through the " +
                        std::to_string(task.shared_users.size()) +
                        " users active in both domains, popularity breaking ties");
    log.phase_seconds["adapt"] += seconds_since(start);
  }
  gnn::Representations target_representations() override { return {users_, items_}; }

 private:
  torch::Tensor users_, items_;
};

// Fine-tuning (with the bridge), then cold-start users represented through the shared users
// their source items lead to (SharedNeighbourhood), mixed with their own source-graph
// representation by NeighbourhoodOptions::mix.
//
// When the co-occurrence tables fit (cooccurrence_representations), the cold-start score also
// adds λ · co-occurrence(u, g), λ chosen on the validation cases from kCooccurrenceWeights after
// training (0 included, so the hybrid is never worse on validation than the representations
// alone); the report's notes give the λ chosen.
class SharedNeighbours : public ModelMethod {
 public:
  std::string name() const override { return "shared_neighbours"; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    pretrain(task, log);
    const ScoringFunction neighbourhood = cold_from_shared_neighbourhood(task, task.options.neighbourhood.mix);
    scoring_ = neighbourhood;
    AdaptationPlan plan;
    plan.bridge_weight = task.options.bridge_weight;
    plan.scoring = scoring_;
    adapt(*model_, task, plan, log);
    if (task.valid && task.num_cold_users() > 0) add_cooccurrence(task, neighbourhood, log);
  }

 private:
  static constexpr double kCooccurrenceWeights[] = {0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0};

  void add_cooccurrence(const TransferTask& task, const ScoringFunction& neighbourhood, FitLog& log) {
    const auto start = Clock::now();
    const std::optional<gnn::Representations> counts = cooccurrence_representations(task);
    if (!counts) {
      log.notes.push_back("shared_neighbours: co-occurrence tables too large; representations alone");
      return;
    }
    const torch::Tensor cold = cold_column(task).to(torch::kFloat);
    const torch::Tensor cold_counts = counts->users * cold;  // warm users keep their own scores
    const auto with_weight = [counts, cold_counts](const gnn::Representations& reps, double weight) {
      return gnn::Representations{torch::cat({reps.users, weight * cold_counts}, 1),
                                  torch::cat({reps.items, counts->items}, 1)};
    };
    const std::string metric = task.options.selection_metric;
    double best_weight = 0.0, best = -1.0;
    {
      torch::NoGradGuard no_grad;
      model_->eval();
      const gnn::Representations reps = neighbourhood(*model_);
      for (const double weight : kCooccurrenceWeights) {
        const Metrics metrics = validate_target(task, with_weight(reps, weight));
        const double value = metrics.count(metric) ? metrics.at(metric) : -1.0;
        if (value > best) {
          best = value;
          best_weight = weight;
          log.best_valid = metrics;
        }
      }
    }
    scoring_ = [neighbourhood, with_weight, best_weight](CrossDomainModel& m) {
      return with_weight(neighbourhood(m), best_weight);
    };
    std::ostringstream note;
    note << "shared_neighbours: cold-start scores add " << best_weight << " × co-occurrence through shared users "
         << "(chosen on validation " << metric << " from 0, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000)";
    log.notes.push_back(note.str());
    log.phase_seconds["adapt"] += seconds_since(start);
  }
};

// EMCDR: a mapping from pretrained source-graph representations to fine-tuned target-graph
// representations, fitted on the shared users, applied to cold-start users.
class Mapping : public ModelMethod {
 public:
  std::string name() const override { return "mapping"; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    pretrain(task, log);
    {
      torch::NoGradGuard no_grad;
      source_users_ = model_->represent(GraphKind::kSource).users.detach().clone();
    }
    scoring_ = [this, &task](CrossDomainModel& m) { return mapped(m, task); };
    AdaptationPlan plan;
    plan.scoring = scoring_;
    adapt(*model_, task, plan, log);
  }

 private:
  gnn::Representations mapped(CrossDomainModel& model, const TransferTask& task) {
    const MappingOptions& o = task.options.mapping;
    const gnn::Representations target = model.represent(GraphKind::kTarget);
    const torch::Tensor shared = as_index(task.shared_users);
    const torch::Tensor x = source_users_.index_select(0, shared);
    const torch::Tensor y = target.users.detach().index_select(0, shared);
    torch::manual_seed(io::derive_seed(task.options.seed, "mapping"));
    const int64_t d = x.size(1);
    torch::nn::Sequential f = o.kind == "linear"
                                  ? torch::nn::Sequential(torch::nn::Linear(d, y.size(1)))
                                  : torch::nn::Sequential(torch::nn::Linear(d, o.hidden), torch::nn::Tanh(),
                                                          torch::nn::Linear(o.hidden, y.size(1)));
    torch::optim::Adam optimizer(f->parameters(), torch::optim::AdamOptions(o.lr));
    {
      torch::AutoGradMode enable(true);
      for (int64_t step = 0; step < o.epochs; ++step) {
        const torch::Tensor loss = (f->forward(x) - y).pow(2).sum(1).mean();
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
      }
    }
    torch::NoGradGuard no_grad;
    const torch::Tensor cold = cold_column(task);
    return model.with_item_bias({torch::where(cold, f->forward(source_users_), target.users), target.items},
                                GraphKind::kTarget);
  }

  torch::Tensor source_users_;
};

// Reptile (first-order meta-learning) of the adaptation's starting point over tasks of a few
// target users each, then fine-tuning from it: for few-shot targets such as a new category.
class Meta : public ModelMethod {
 public:
  std::string name() const override { return "meta"; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    pretrain(task, log);
    reptile(task, log);
    AdaptationPlan plan;
    plan.bridge_weight = task.options.bridge_weight;
    adapt(*model_, task, plan, log);
  }

 private:
  void reptile(const TransferTask& task, FitLog& log) {
    const auto start = Clock::now();
    const MetaOptions& o = task.options.meta;
    const gnn::NegativeSampler& sampler = *task.target_sampler;
    const std::vector<int64_t>& users = sampler.active_users();
    const int64_t steps = std::min<int64_t>(20, (static_cast<int64_t>(users.size()) + o.tasks_per_step - 1) /
                                                    o.tasks_per_step);
    torch::optim::SGD inner(model_->parameters(), torch::optim::SGDOptions(o.inner_lr));
    model_->train();
    for (int64_t epoch = 1; epoch <= o.meta_epochs; ++epoch) {
      const auto epoch_start = Clock::now();
      std::mt19937_64 rng(io::derive_seed(task.options.seed, "meta/" + std::to_string(epoch)));
      double loss_sum = 0.0;
      for (int64_t step = 0; step < steps; ++step) {
        // A task: tasks_per_step users, up to 8 (positive, negative) pairs each.
        std::vector<int64_t> u, p, n;
        for (int64_t t = 0; t < o.tasks_per_step; ++t) {
          const int64_t user = users[io::draw_below(rng, users.size())];
          const int64_t degree = sampler.positives_end(user) - sampler.positives_begin(user);
          for (int64_t k = 0; k < std::min<int64_t>(8, degree); ++k) {
            u.push_back(user);
            p.push_back(sampler.positives_begin(user)[io::draw_below(rng, degree)]);
            n.push_back(sampler.sample_negative(user, rng));
          }
        }
        const std::vector<torch::Tensor> start_state = model_->snapshot();
        const torch::Tensor tu = as_index(u), tp = as_index(p), tn = as_index(n);
        for (int64_t s = 0; s < o.inner_steps; ++s) {
          const gnn::Representations reps =
              model_->with_item_bias(model_->represent(GraphKind::kTarget), GraphKind::kTarget);
          const torch::Tensor loss = gnn::pairwise_loss(
              task.options.loss, (reps.users.index_select(0, tu) * reps.items.index_select(0, tp)).sum(-1),
              (reps.users.index_select(0, tu) * reps.items.index_select(0, tn)).sum(-1));
          inner.zero_grad();
          loss.backward();
          inner.step();
          loss_sum += loss.item<double>();
        }
        torch::NoGradGuard no_grad;
        const auto params = model_->parameters();
        for (size_t k = 0; k < params.size(); ++k) {
          params[k].copy_(start_state[k] + o.meta_lr * (params[k] - start_state[k]));
        }
      }
      log.history.push_back({"meta", epoch, loss_sum / static_cast<double>(std::max<int64_t>(1, steps * o.inner_steps)),
                             {}, seconds_since(epoch_start)});
    }
    log.phase_seconds["meta"] += seconds_since(start);
  }
};

// Source interactions re-weighted by the density ratio p(target | h_u) / p(source | h_u) of a
// logistic domain classifier on pretrained user representations, then trained with the target.
class InstanceWeighting : public ModelMethod {
 public:
  std::string name() const override { return "instance_weighting"; }
  void fit(const TransferTask& task, FitLog& log) override {
    build(task);
    pretrain(task, log);
    AdaptationPlan plan;
    plan.source_weight = 1.0;
    plan.bridge_weight = task.options.bridge_weight;
    plan.source_user_weights = user_weights(task);
    adapt(*model_, task, plan, log);
  }

 private:
  std::vector<float> user_weights(const TransferTask& task) {
    const InstanceWeightOptions& o = task.options.instance_weighting;
    torch::Tensor source_all, xs, xt;
    {
      torch::NoGradGuard no_grad;
      source_all = model_->represent(GraphKind::kSource).users.detach();
      xs = source_all.index_select(0, as_index(task.source_sampler->active_users()));
      xt = model_->represent(GraphKind::kTarget).users.detach().index_select(
          0, as_index(task.target_sampler->active_users()));
    }
    const torch::Tensor mean = torch::cat({xs, xt}).mean(0), scale = torch::cat({xs, xt}).std(0).clamp_min(1e-6);
    const auto standardise = [&](const torch::Tensor& x) { return (x - mean) / scale; };
    torch::manual_seed(io::derive_seed(task.options.seed, "instance_weighting"));
    torch::nn::Linear classifier(xs.size(1), 1);
    torch::optim::Adam optimizer(classifier->parameters(), torch::optim::AdamOptions(0.05));
    const torch::Tensor x = torch::cat({standardise(xs), standardise(xt)});
    const torch::Tensor label = torch::cat({torch::zeros({xs.size(0)}), torch::ones({xt.size(0)})});
    // Balanced classes: each domain carries half the loss.
    const torch::Tensor weight = torch::cat({torch::full({xs.size(0)}, 0.5 / xs.size(0)),
                                             torch::full({xt.size(0)}, 0.5 / xt.size(0))});
    for (int64_t step = 0; step < o.estimator_epochs; ++step) {
      const torch::Tensor logits = classifier->forward(x).squeeze(1);
      const torch::Tensor loss =
          (torch::binary_cross_entropy_with_logits(logits, label, {}, {}, at::Reduction::None) * weight).sum() +
          1e-3 * classifier->weight.pow(2).sum();
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
    torch::NoGradGuard no_grad;
    // With balanced classes the logit is log p(target|h) − log p(source|h) = the log density ratio.
    torch::Tensor w = classifier->forward(standardise(source_all)).squeeze(1).exp().clamp(1.0 / o.clip, o.clip);
    const torch::Tensor active = as_index(task.source_sampler->active_users());
    w = w / w.index_select(0, active).mean();
    return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  }
};

using Factory = std::function<std::unique_ptr<TransferMethod>()>;

const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> methods = {
      {"target_only", [] { return std::make_unique<TargetOnly>(); }},
      {"source_only", [] { return std::make_unique<SourceOnly>(); }},
      {"joint", [] { return std::make_unique<Joint>(); }},
      {"finetune", [] { return std::make_unique<Finetune>("finetune", "", ""); }},
      {"frozen_encoder", [] { return std::make_unique<Finetune>("frozen_encoder", "frozen_encoder", ""); }},
      {"last_k", [] { return std::make_unique<Finetune>("last_k", "last_k", ""); }},
      {"discriminative_lr", [] { return std::make_unique<Finetune>("discriminative_lr", "discriminative", ""); }},
      {"l2sp", [] { return std::make_unique<Finetune>("l2sp", "l2sp", ""); }},
      {"adversarial", [] { return std::make_unique<Finetune>("adversarial", "", "adversarial"); }},
      {"mmd", [] { return std::make_unique<Finetune>("mmd", "", "mmd"); }},
      {"coral", [] { return std::make_unique<Finetune>("coral", "", "coral"); }},
      {"mapping", [] { return std::make_unique<Mapping>(); }},
      {"meta", [] { return std::make_unique<Meta>(); }},
      {"instance_weighting", [] { return std::make_unique<InstanceWeighting>(); }},
      {"vib", [] { return std::make_unique<VariationalBridge>(); }},
      {"shared_neighbours", [] { return std::make_unique<SharedNeighbours>(); }},
      {"cooccurrence", [] { return std::make_unique<Cooccurrence>(); }},
  };
  return methods;
}

}  // namespace

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

std::unique_ptr<TransferMethod> make_method(const std::string& name) {
  for (const auto& [method, factory] : registry()) {
    if (method == name) return factory();
  }
  std::string valid;
  for (const auto& n : method_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw io::UsageError("unknown transfer method '" + name + "'; valid methods: " + valid);
}

torch::Tensor TransferMethod::score(const torch::Tensor& users, const torch::Tensor& items) {
  const gnn::Representations reps = target_representations();
  return (reps.users.index_select(0, users) * reps.items.index_select(0, items)).sum(-1);
}

}  // namespace graft::transfer
