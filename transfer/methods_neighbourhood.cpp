// Methods that score cold-start users through what the shared users did: source_only (the source
// encoder zero-shot), shared_neighbours (fine-tuning, then the shared neighbourhood) and mapping
// (EMCDR). cooccurrence, the counting baseline, is in methods_item_similarity.cpp.
#include "gnn/spmm.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "transfer/methods.h"
#include "transfer/model_method.h"

#include <ATen/CPUGeneratorImpl.h>

#include <sstream>

namespace graft::transfer {
namespace {

class SourceOnly : public TransferMethod {
 public:
  std::string name() const override { return "source_only"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    model_ = std::make_shared<CrossDomainModel>(task);
    pretrain_source(model_, *task, log);
    const auto start = Clock::now();
    torch::NoGradGuard no_grad;
    model_->eval();
    const gnn::Representations source = model_->represent(GraphKind::kSource);
    users_ = source.users;
    source_items_ = source.items;
    if (!task->target_item_features.empty()) {
      // Content transfer: the target's items through the source-trained feature projection.
      items_ = model_->represent(GraphKind::kTarget).items;
      log.notes.push_back("source_only: no target training; target items are represented through the "
                          "source-trained feature projection and the target graph (the content bridge)");
      log.phase_seconds["adapt"] += seconds_since(start);
      return;
    }
    // Zero-shot items: the mean source representation of each target item's training users that
    // have one (users active in both domains; the others have no source graph to be read from).
    const int64_t U = task->num_users, I = task->target_items;
    const ItemUserEdges edges = item_user_edges(task->target_graph, task->shared_users);
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
  std::optional<gnn::Representations> all_item_representations() override {
    return gnn::Representations{users_, torch::cat({source_items_, items_})};
  }

 private:
  std::shared_ptr<CrossDomainModel> model_;
  torch::Tensor users_, items_, source_items_;
};

// The floor a shop uses: every user gets the target items by training interactions, most first
// (ties by item index, PROTOCOLS.md). In a carved new category this is popularity within the
// category; at budget k = 0 it is the item order itself.
class Popularity : public TransferMethod {
 public:
  std::string name() const override { return "popularity"; }
  std::vector<BridgeKind> needs() const override { return {}; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    users_ = torch::ones({task->num_users, 1});
    items_ = log_popularity(*task).to(torch::kFloat);
    source_items_ = log_source_popularity(*task).to(torch::kFloat);
    log.notes.push_back("popularity: target items by training interactions; no training, no transfer");
  }
  gnn::Representations target_representations() override { return {users_, items_}; }
  // Over every item: popularity in the whole shop, each item by its own domain's training count.
  std::optional<gnn::Representations> all_item_representations() override {
    return gnn::Representations{users_, torch::cat({source_items_, items_})};
  }

 private:
  torch::Tensor users_, items_, source_items_;
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
  const ItemUserEdges taken = item_user_edges(task.target_graph, task.shared_users);
  torch::Tensor items = torch::zeros({I, S});
  items.index_put_({taken.items, column.index_select(0, taken.users)}, 1.0f);
  return gnn::Representations{users, items};
}

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
  std::vector<BridgeKind> needs() const override { return {BridgeKind::kSharedUsers}; }
  std::string name() const override { return "shared_neighbours"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    pretrain(log);
    const ScoringFunction neighbourhood = cold_from_shared_neighbourhood(*task, task->options.neighbourhood.mix);
    Recipe r = recipe();
    add_bridge(*task, r.objective);
    r.scoring = neighbourhood;
    adapt(std::move(r), log);
    if (task->valid && task->num_cold_users() > 0) add_cooccurrence(neighbourhood, log);
  }

 private:
  static constexpr double kCooccurrenceWeights[] = {0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0};

  void add_cooccurrence(const ScoringFunction& neighbourhood, FitLog& log) {
    const auto start = Clock::now();
    const TransferTask& task = *task_;
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
// representations, fitted on the shared users, applied to cold-start users. Validation refits it
// for the epoch it scores (from the same seeded start, so a fit depends only on the epoch's
// target representations); after training it is fitted once more, for the restored best epoch,
// and kept.
class Mapping : public ModelMethod {
 public:
  std::vector<BridgeKind> needs() const override { return {BridgeKind::kSharedUsers}; }
  std::string name() const override { return "mapping"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    pretrain(log);
    {
      torch::NoGradGuard no_grad;
      source_users_ = model_->represent(GraphKind::kSource).users.detach().clone();
    }
    Recipe r = recipe();
    r.scoring = [this](CrossDomainModel& m) { return mapped(m, fit_mapping(m)); };
    adapt(std::move(r), log);
    torch::NoGradGuard no_grad;
    model_->eval();
    const torch::Tensor cold_users = fit_mapping(*model_);
    scoring_ = [this, cold_users](CrossDomainModel& m) { return mapped(m, cold_users); };
  }

 private:
  // The mapping fitted on the shared users' current target representations, applied to every
  // user's pretrained source representation: [U, d].
  torch::Tensor fit_mapping(CrossDomainModel& model) {
    const MappingOptions& o = task_->options.mapping;
    const torch::Tensor shared = as_index(task_->shared_users);
    const torch::Tensor x = source_users_.index_select(0, shared);
    const torch::Tensor y = model.represent(GraphKind::kTarget).users.detach().index_select(0, shared);
    torch::nn::Sequential f = seeded_mlp(o, x.size(1), y.size(1));
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
    return f->forward(source_users_);
  }

  // The mapping function at its seeded start; the global generator is left as it was, so a refit
  // changes nothing else in training.
  torch::nn::Sequential seeded_mlp(const MappingOptions& o, int64_t in, int64_t out) const {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    const torch::Tensor state = generator.get_state();
    generator.set_current_seed(io::derive_seed(task_->options.seed, "mapping"));
    torch::nn::Sequential f = o.kind == "linear" ? torch::nn::Sequential(torch::nn::Linear(in, out))
                                                 : torch::nn::Sequential(torch::nn::Linear(in, o.hidden), torch::nn::Tanh(),
                                                                         torch::nn::Linear(o.hidden, out));
    generator.set_state(state);
    return f;
  }

  gnn::Representations mapped(CrossDomainModel& model, const torch::Tensor& mapped_users) const {
    const gnn::Representations target = model.represent(GraphKind::kTarget);
    return model.with_item_bias({torch::where(cold_column(*task_), mapped_users, target.users), target.items},
                                GraphKind::kTarget);
  }

  torch::Tensor source_users_;
};

}  // namespace

std::unique_ptr<TransferMethod> make_source_only() { return std::make_unique<SourceOnly>(); }
std::unique_ptr<TransferMethod> make_popularity() { return std::make_unique<Popularity>(); }
std::unique_ptr<TransferMethod> make_shared_neighbours() { return std::make_unique<SharedNeighbours>(); }
std::unique_ptr<TransferMethod> make_mapping() { return std::make_unique<Mapping>(); }

}  // namespace graft::transfer
