#include "transfer/scoring.h"

#include "gnn/spmm.h"
#include "graph_io/seeded_random.h"

#include <random>

namespace graft::transfer {
namespace {

// The (row, col) entries of the full graph with row in [row_begin, row_end) and col in
// [col_begin, col_end), in CSR order, int64.
std::pair<torch::Tensor, torch::Tensor> block_entries(const gnn::SparseGraph& graph, int64_t row_begin, int64_t row_end,
                                                      int64_t col_begin, int64_t col_end) {
  const torch::Tensor rows = graph.row_indices().to(torch::kInt64), cols = graph.csr().col.to(torch::kInt64);
  const torch::Tensor keep = rows.ge(row_begin) & rows.lt(row_end) & cols.ge(col_begin) & cols.lt(col_end);
  return {rows.masked_select(keep), cols.masked_select(keep)};
}

}  // namespace

gnn::Representations cold_from_source_graph(CrossDomainModel& model) {
  gnn::Representations target = model.represent(GraphKind::kTarget);
  const TransferTask& task = model.task();
  if (task.num_cold_users() == 0) return model.with_item_bias(target, GraphKind::kTarget);
  const torch::Tensor source_users = model.represent(GraphKind::kSource).users;
  return model.with_item_bias({torch::where(cold_column(task), source_users, target.users), target.items},
                              GraphKind::kTarget);
}

ItemUserEdges item_user_edges(const gnn::TypedGraph& graph, const std::vector<int64_t>& users) {
  const gnn::NodeLayout& layout = graph.layout;
  const int64_t U = layout.users;
  auto [rows, cols] = block_entries(graph.full, layout.item_offset(), layout.category_offset(), 0, U);
  torch::Tensor wanted = torch::zeros({U}, torch::kBool);
  if (!users.empty()) wanted.index_fill_(0, as_index(users), true);
  const torch::Tensor keep = wanted.index_select(0, cols);
  return {rows.masked_select(keep) - U, cols.masked_select(keep)};
}

SharedNeighbourhood::SharedNeighbourhood(const TransferTask& task) {
  const gnn::TypedGraph& graph = task.source_graph;
  const int64_t U = task.num_users, I = task.source_items;
  // item → shared user, weighted 1/√|S_v|.
  const ItemUserEdges to_shared = item_user_edges(graph, task.shared_users);
  const torch::Tensor shared_degree = torch::bincount(to_shared.items, {}, I).to(torch::kFloat);
  item_shared_ = gnn::SparseGraph::from_coo(I, U, to_shared.items, to_shared.users,
                                            shared_degree.index_select(0, to_shared.items).rsqrt());
  // user → source item reaching at least one shared user, weighted 1/√n_u.
  auto [u, v] = block_entries(graph.full, 0, U, U, U + I);
  v = v - U;
  const torch::Tensor useful = shared_degree.index_select(0, v).gt(0);
  const torch::Tensor uu = u.masked_select(useful), vv = v.masked_select(useful);
  const torch::Tensor user_degree = torch::bincount(uu, {}, U).to(torch::kFloat);
  user_item_ = gnn::SparseGraph::from_coo(U, I, uu, vv, user_degree.index_select(0, uu).rsqrt());
}

torch::Tensor SharedNeighbourhood::operator()(const torch::Tensor& target_users) const {
  return gnn::spmm(user_item_, gnn::spmm(item_shared_, target_users));
}

ScoringFunction cold_from_shared_neighbourhood(const TransferTask& task, double mix) {
  auto neighbourhood = std::make_shared<SharedNeighbourhood>(task);
  return [neighbourhood, mix](CrossDomainModel& model) {
    const TransferTask& task = model.task();
    gnn::Representations target = model.represent(GraphKind::kTarget);
    if (task.num_cold_users() == 0) return model.with_item_bias(target, GraphKind::kTarget);
    torch::Tensor cold_reps = (*neighbourhood)(target.users);
    if (mix < 1.0) cold_reps = mix * cold_reps + (1.0 - mix) * model.represent(GraphKind::kSource).users;
    return model.with_item_bias({torch::where(cold_column(task), cold_reps, target.users), target.items},
                                GraphKind::kTarget);
  };
}

gnn::Representations union_scoring(CrossDomainModel& model) {
  gnn::Representations reps = model.represent(GraphKind::kUnion);
  const int64_t source_items = model.task().source_items;
  return model.with_item_bias({reps.users, reps.items.narrow(0, source_items, reps.items.size(0) - source_items)},
                              GraphKind::kTarget);
}

gnn::Representations with_popularity_fallback(const gnn::Representations& reps, const TransferTask& task) {
  const torch::Tensor cold = cold_column(task).to(reps.users.scalar_type());
  const torch::Tensor popularity = log_popularity(task).to(reps.items.scalar_type());
  return {torch::cat({reps.users * (1 - cold), cold}, 1), torch::cat({reps.items, popularity}, 1)};
}

Metrics validate_target(const TransferTask& task, const gnn::Representations& reps) {
  if (!task.valid) return {};
  FixedRecommender fixed({reps.users.detach(), reps.items.detach()});
  return task.valid->evaluate(fixed, task.options.communicator.get());
}

torch::Tensor sample_rows(const torch::Tensor& reps, const std::vector<int64_t>& users, int64_t count, uint64_t seed) {
  std::vector<int64_t> chosen = users;
  if (static_cast<int64_t>(chosen.size()) > count) {
    std::mt19937_64 rng(seed);
    io::seeded_shuffle(chosen, rng);
    chosen.resize(static_cast<size_t>(count));
  }
  return reps.index_select(0, as_index(chosen));
}

RepresentationSample sample_representations(const TransferTask& task, const torch::Tensor& source_users,
                                            const torch::Tensor& target_users, int64_t count, uint64_t seed) {
  RepresentationSample sample;
  const auto add = [&](const torch::Tensor& reps, const std::vector<int64_t>& users, const char* domain, uint64_t s) {
    const torch::Tensor rows = sample_rows(reps.detach(), users, count, s).to(torch::kFloat).contiguous();
    for (int64_t r = 0; r < rows.size(0); ++r) {
      const float* row = rows[r].data_ptr<float>();
      sample.rows.emplace_back(row, row + rows.size(1));
      sample.domain.emplace_back(domain);
    }
  };
  add(source_users, task.source_sampler->active_users(), "source", seed);
  add(target_users, task.target_sampler->active_users(), "target", seed + 1);
  return sample;
}

}  // namespace graft::transfer
