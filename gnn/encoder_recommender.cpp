#include "gnn/encoder_recommender.h"

#include <ATen/CPUGeneratorImpl.h>

#include <ostream>
#include <utility>

#include "gnn/gather_rows.h"

namespace graft::gnn {
namespace {

torch::Tensor initial_embedding(int64_t nodes, int64_t dim, double init_std, uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  return torch::empty({nodes, dim}).normal_(0.0, init_std, generator);
}

}  // namespace

EncoderRecommender::EncoderRecommender(const EncoderOptions& encoder, double init_std, const NodeLayout& layout,
                                       SparseGraph graph)
    : init_std_(init_std), layout_(layout), graph_(std::move(graph)) {
  TORCH_CHECK(init_std_ >= 0.0, "EncoderRecommender: init_std must be non-negative, got ", init_std_);
  TORCH_CHECK(graph_.rows() == layout_.total() && graph_.cols() == layout_.total(), "EncoderRecommender: the graph must be ",
              layout_.total(), " × ", layout_.total(), " (", layout_.users, " users + ", layout_.items, " items + ",
              layout_.categories, " categories), got ", graph_.rows(), " × ", graph_.cols());
  encoder_ = register_module("encoder", Encoder(encoder));
  embedding_ = register_parameter("embedding", initial_embedding(layout_.total(), encoder.dim, init_std_, encoder.seed));
  bias_ = register_parameter("bias", torch::zeros({1}));
}

void EncoderRecommender::reset_parameters() {
  encoder_->reset();
  torch::NoGradGuard no_grad;
  const EncoderOptions& o = encoder_->options();
  embedding_.copy_(initial_embedding(layout_.total(), o.dim, init_std_, o.seed));
  bias_.zero_();
}

Representations EncoderRecommender::represent() {
  const torch::Tensor h = encoder_->forward(graph_, embedding_);
  return {h.narrow(0, 0, layout_.users), h.narrow(0, layout_.item_offset(), layout_.items)};
}

torch::Tensor EncoderRecommender::score_pairs(const Representations& r, const torch::Tensor& users,
                                              const torch::Tensor& items) {
  return Recommender::score_pairs(r, users, items) + bias_;
}

torch::Tensor EncoderRecommender::score_all_items(const Representations& r, const torch::Tensor& users) {
  return Recommender::score_all_items(r, users) + bias_;
}

torch::Tensor EncoderRecommender::batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                                           const torch::Tensor& neg_items) {
  const int64_t offset = layout_.item_offset();
  return gather_rows(embedding_, users).pow(2).sum() + gather_rows(embedding_, pos_items + offset).pow(2).sum() +
         gather_rows(embedding_, neg_items + offset).pow(2).sum();
}

void EncoderRecommender::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::EncoderRecommender(users=" << layout_.users << ", items=" << layout_.items
         << ", categories=" << layout_.categories << ", edges=" << graph_.nnz() << ")";
}

GraphOptions encoder_graph_options(const EncoderOptions& encoder) {
  GraphOptions options;
  options.self_loops = encoder.layer == "gcn" || encoder.layer == "gat";
  return options;
}

}  // namespace graft::gnn
