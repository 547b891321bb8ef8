// Training-free item-to-item methods across domains, scored as sparse user rows times item
// weights (gnn::RowScorer), so no users × items or users × shared-users matrix is ever held:
//
//   cooccurrence       score(u, g) = Σ_v (1/√n_u)(1/√|S_v|) #{s ∈ S_v : s took g} + ε·log(1 + pop_g):
//                      the user's source items v, each read through the set S_v of shared users who
//                      took it (n_u counts u's items with S_v ≠ ∅); ε = 1e-3, popularity only
//                      breaking ties and ranking users no shared user reaches
//   itemknn, ease,     the single-domain models (gnn/item_similarity.h) over one item space
//   gfcf               [source items | target items]: every user's row holds her training items of
//                      both domains, the weights are fitted over all users and kept for the target's
//                      columns. A cold-start user's score of a target item reads her source items'
//                      weights to it, learnt from the users active in both domains.
#include "gnn/item_similarity.h"
#include "transfer/methods.h"
#include "transfer/scoring.h"

#include <cmath>
#include <numeric>

namespace graft::transfer {
namespace {

// The (user, item) training pairs of a domain graph, items counted from `offset`.
void append_pairs(const gnn::TypedGraph& graph, int64_t users, int64_t offset, std::vector<int64_t>& user,
                  std::vector<int64_t>& item) {
  std::vector<int64_t> everyone(static_cast<size_t>(users));
  std::iota(everyone.begin(), everyone.end(), int64_t{0});
  const ItemUserEdges edges = item_user_edges(graph, everyone);
  const int64_t* i = edges.items.data_ptr<int64_t>();
  const int64_t* u = edges.users.data_ptr<int64_t>();
  for (int64_t e = 0; e < edges.items.size(0); ++e) {
    user.push_back(u[e]);
    item.push_back(i[e] + offset);
  }
}

// Rows over [source items | target items]; `shared_only` keeps the rows of the shared users alone.
gnn::SparseRows joint_rows(const TransferTask& task, bool shared_only) {
  std::vector<int64_t> user, item;
  append_pairs(task.source_graph, task.num_users, 0, user, item);
  append_pairs(task.target_graph, task.num_users, task.source_items, user, item);
  if (shared_only) {
    std::vector<uint8_t> shared(static_cast<size_t>(task.num_users), 0);
    for (const int64_t u : task.shared_users) shared[u] = 1;
    std::vector<int64_t> kept_user, kept_item;
    for (size_t k = 0; k < user.size(); ++k) {
      if (shared[user[k]]) kept_user.push_back(user[k]), kept_item.push_back(item[k]);
    }
    user.swap(kept_user);
    item.swap(kept_item);
  }
  return gnn::make_binary_rows(task.num_users, task.source_items + task.target_items, user, item);
}

torch::Tensor target_columns(const TransferTask& task) {
  return torch::arange(task.source_items, task.source_items + task.target_items);
}

class Cooccurrence : public TransferMethod {
 public:
  std::string name() const override { return "cooccurrence"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    const auto start = Clock::now();
    const int64_t I = task->source_items;
    gnn::ItemSimilarityOptions budget = task->options.similarity;
    budget.kind = name();  // counts of each source item with the target's items
    gnn::check_item_similarity_memory(budget, static_cast<int64_t>(task->shared_users.size()), I,
                                      task->target_items);
    // #{s : s took v and g} over the shared users; |S_v|: the shared users who took v.
    const gnn::SparseRows shared = joint_rows(*task, true);
    const torch::Tensor counts = gnn::gram_columns(shared, I, target_columns(*task));
    const torch::Tensor takers = shared.column_sums().narrow(0, 0, I).to(torch::kFloat);
    const torch::Tensor weights = counts * torch::where(takers > 0, takers.rsqrt(), torch::zeros_like(takers)).unsqueeze(1);
    scorer_ = std::make_shared<gnn::RowScorer>(name(), user_rows(*task, takers), weights,
                                               1e-3 * log_popularity(*task).to(torch::kFloat).view(-1));
    log.notes.push_back("cooccurrence: no training; target items are scored by co-occurrence through the " +
                        std::to_string(task->shared_users.size()) +
                        " users active in both domains, popularity breaking ties");
    log.phase_seconds["adapt"] += seconds_since(start);
  }
  std::shared_ptr<gnn::Recommender> target_scorer() override { return scorer_; }
  gnn::Representations target_representations() override { return scorer_->dense_representations(); }

 private:
  // Row u: weight 1/√n_u on each of u's source items some shared user took.
  static gnn::SparseRows user_rows(const TransferTask& task, const torch::Tensor& takers) {
    const float* taken = takers.data_ptr<float>();
    std::vector<int64_t> user, item, useful_user, useful_item;
    append_pairs(task.source_graph, task.num_users, 0, user, item);
    for (size_t k = 0; k < user.size(); ++k) {
      if (taken[item[k]] > 0) useful_user.push_back(user[k]), useful_item.push_back(item[k]);
    }
    gnn::SparseRows rows = gnn::make_binary_rows(task.num_users, task.source_items, useful_user, useful_item);
    for (int64_t u = 0; u < rows.num_rows(); ++u) {
      const int64_t n = rows.offsets[u + 1] - rows.offsets[u];
      rows.values.insert(rows.values.end(), n, n > 0 ? 1.0f / std::sqrt(static_cast<float>(n)) : 0.0f);
    }
    return rows;
  }

  std::shared_ptr<gnn::RowScorer> scorer_;
};

class CrossDomainItemSimilarity : public TransferMethod {
 public:
  explicit CrossDomainItemSimilarity(std::string kind) : kind_(std::move(kind)) {}
  std::string name() const override { return kind_; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    const auto start = Clock::now();
    gnn::ItemSimilarityOptions options = task->options.similarity;
    options.kind = kind_;
    gnn::SparseRows rows = joint_rows(*task, false);
    gnn::check_item_similarity_memory(options, rows.non_empty_rows(), rows.width, task->target_items);
    const torch::Tensor weights = gnn::item_weights(options, rows, target_columns(*task));
    scorer_ = std::make_shared<gnn::RowScorer>(kind_, std::move(rows), weights);
    log.notes.push_back(kind_ + ": no training; one item space of " + std::to_string(task->source_items) +
                        " source and " + std::to_string(task->target_items) +
                        " target items, cold-start users read through their source items");
    log.phase_seconds["adapt"] += seconds_since(start);
  }
  std::shared_ptr<gnn::Recommender> target_scorer() override { return scorer_; }
  gnn::Representations target_representations() override { return scorer_->dense_representations(); }

 private:
  std::string kind_;
  std::shared_ptr<gnn::RowScorer> scorer_;
};

}  // namespace

std::unique_ptr<TransferMethod> make_cooccurrence() { return std::make_unique<Cooccurrence>(); }
std::unique_ptr<TransferMethod> make_item_similarity(const std::string& kind) {
  return std::make_unique<CrossDomainItemSimilarity>(kind);
}

}  // namespace graft::transfer
