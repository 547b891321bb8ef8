#include "gnn/recommender.h"

namespace graft::gnn {

torch::Tensor Recommender::score_pairs(const Representations& r, const torch::Tensor& users,
                                       const torch::Tensor& items) {
  return (r.users.index_select(0, users) * r.items.index_select(0, items)).sum(1);
}

torch::Tensor Recommender::score_all_items(const Representations& r, const torch::Tensor& users) {
  return torch::mm(r.users.index_select(0, users), r.items.t());
}

}  // namespace graft::gnn
