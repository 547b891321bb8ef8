#include "transfer/cross_domain_model.h"

#include "gnn/gather_rows.h"
#include "graph_io/seeded_random.h"

#include <ATen/CPUGeneratorImpl.h>

namespace graft::transfer {
namespace {

torch::Tensor normal_table(int64_t rows, int64_t dim, double std, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::normal(0.0, std, {rows, dim}, generator);
}

}  // namespace

CrossDomainModel::CrossDomainModel(const TransferTask& task, const TransferOptions& options) : task_(task) {
  const int64_t dim = options.encoder.dim;
  users_ = register_parameter("users", normal_table(task.num_users, dim, options.init_std,
                                                    io::derive_seed(options.seed, "users")));
  source_items_ = register_parameter("source_items", normal_table(task.source_items, dim, options.init_std,
                                                                  io::derive_seed(options.seed, "source_items")));
  target_items_ = register_parameter("target_items", normal_table(task.target_items, dim, options.init_std,
                                                                  io::derive_seed(options.seed, "target_items")));
  source_bias_ = register_parameter("source_item_bias", torch::zeros({task.source_items}));
  target_bias_ = register_parameter("target_item_bias", torch::zeros({task.target_items}));
  gnn::EncoderOptions encoder = options.encoder;
  encoder.seed = io::derive_seed(options.seed, "encoder");
  encoder_ = register_module("encoder", gnn::Encoder(encoder));
}

gnn::Representations CrossDomainModel::represent(GraphKind kind) {
  torch::Tensor x;
  switch (kind) {
    case GraphKind::kSource: x = torch::cat({users_, source_items_}); break;
    case GraphKind::kTarget: x = torch::cat({users_, target_items_}); break;
    case GraphKind::kUnion: x = torch::cat({users_, source_items_, target_items_}); break;
  }
  const torch::Tensor h = encoder_->forward(task_.graph(kind), x);
  const int64_t users = task_.num_users;
  return {h.narrow(0, 0, users), h.narrow(0, users, h.size(0) - users)};
}

gnn::Representations CrossDomainModel::with_item_bias(const gnn::Representations& reps, GraphKind kind) const {
  const torch::Tensor& bias = kind == GraphKind::kSource ? source_bias_ : target_bias_;
  const torch::Tensor ones = torch::ones({reps.users.size(0), 1}, reps.users.options());
  return {torch::cat({reps.users, ones}, 1), torch::cat({reps.items, bias.unsqueeze(1).to(reps.items.dtype())}, 1)};
}

torch::Tensor CrossDomainModel::batch_l2(GraphKind kind, const torch::Tensor& users, const torch::Tensor& positives,
                                         const torch::Tensor& negatives) const {
  const torch::Tensor& items = kind == GraphKind::kSource ? source_items_ : target_items_;
  return gnn::gather_rows(users_, users).pow(2).sum() + gnn::gather_rows(items, positives).pow(2).sum() +
         gnn::gather_rows(items, negatives).pow(2).sum();
}

std::vector<torch::Tensor> CrossDomainModel::snapshot() const {
  std::vector<torch::Tensor> state;
  for (const auto& p : parameters()) state.push_back(p.detach().clone());
  return state;
}

void CrossDomainModel::restore(const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  const auto params = parameters();
  for (size_t k = 0; k < params.size(); ++k) params[k].copy_(state[k]);
}

DomainView::DomainView(std::shared_ptr<CrossDomainModel> model, GraphKind kind)
    : model_(register_module("model", std::move(model))), kind_(kind) {}

gnn::Representations DomainView::represent() {
  gnn::Representations reps = model_->represent(kind_);
  if (kind_ == GraphKind::kUnion) {  // score the target's items
    const int64_t source_items = model_->task().source_items;
    reps.items = reps.items.narrow(0, source_items, reps.items.size(0) - source_items);
  }
  return model_->with_item_bias(reps, kind_);
}

torch::Tensor DomainView::batch_l2(const torch::Tensor& users, const torch::Tensor& positives,
                                   const torch::Tensor& negatives) {
  return model_->batch_l2(kind_, users, positives, negatives);
}

torch::Tensor FixedRecommender::batch_l2(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
  throw std::logic_error("FixedRecommender holds finished representations and is not trained");
}

}  // namespace graft::transfer
