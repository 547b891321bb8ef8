#include "gnn/recommender.h"

#include "gnn/gather_rows.h"
#include "graph_io/errors.h"

#include <stdexcept>

namespace graft::gnn {

void Recommender::move_to(torch::Device device) {
  if (device.is_cpu()) return;
  throw io::UsageError("device " + device.str() + ": model " + model_name() + " runs on the CPU only (lightgcn and bprmf "
                       "move to a GPU)");
}

torch::Tensor Recommender::score_pairs(const Representations& r, const torch::Tensor& users,
                                       const torch::Tensor& items) {
  return (gather_rows(r.users, users) * gather_rows(r.items, items)).sum(1);
}

torch::Tensor Recommender::score_all_items(const Representations& r, const torch::Tensor& users) {
  return torch::mm(r.users.index_select(0, users), r.items.t());
}

torch::Tensor Recommender::propagate_seeds(const SampledBlocks&, const torch::Tensor&) {
  throw std::logic_error(model_name() + " cannot be trained on sampled subgraphs");
}

torch::Tensor Recommender::represent_seeds(const SampledBlocks& blocks) {
  const torch::Tensor table = node_table();
  if (!table.defined()) throw std::logic_error(model_name() + " cannot be trained on sampled subgraphs");
  return propagate_seeds(blocks, table.index_select(0, blocks.nodes.to(table.device())));
}

}  // namespace graft::gnn
