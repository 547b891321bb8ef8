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
    : EncoderRecommender(encoder, init_std, TypedGraph{layout, std::move(graph), {}, {}}) {
  typed_ = false;
}

EncoderRecommender::EncoderRecommender(const EncoderOptions& encoder, double init_std, TypedGraph graph)
    : init_std_(init_std), graph_(std::move(graph)), typed_(true) {
  const NodeLayout& layout = graph_.layout;
  TORCH_CHECK(init_std_ >= 0.0, "EncoderRecommender: init_std must be non-negative, got ", init_std_);
  TORCH_CHECK(graph_.full.rows() == layout.total() && graph_.full.cols() == layout.total(),
              "EncoderRecommender: the graph must be ", layout.total(), " × ", layout.total(), " (", layout.users,
              " users + ", layout.items, " items + ", layout.categories, " categories), got ", graph_.full.rows(),
              " × ", graph_.full.cols());
  encoder_ = register_module("encoder", Encoder(encoder));
  embedding_ = register_parameter("embedding", initial_embedding(layout.total(), encoder.dim, init_std_, encoder.seed));
  bias_ = register_parameter("bias", torch::zeros({1}));
}

void EncoderRecommender::reset_parameters() {
  encoder_->reset();
  torch::NoGradGuard no_grad;
  const EncoderOptions& o = encoder_->options();
  embedding_.copy_(initial_embedding(graph_.layout.total(), o.dim, init_std_, o.seed));
  bias_.zero_();
}

void EncoderRecommender::use_item_features(const NodeInputOptions& options, NodeFeatures features,
                                           torch::Tensor trained) {
  TORCH_CHECK(features.rows == graph_.layout.items, "EncoderRecommender: item features have ", features.rows,
              " rows for ", graph_.layout.items, " items");
  item_features_ = std::move(features);
  item_trained_ = std::move(trained);
  item_input_ = register_module("item_input", NodeInput(options, item_features_));
}

Representations EncoderRecommender::represent() {
  const NodeLayout& layout = graph_.layout;
  torch::Tensor x = embedding_;
  if (item_input_) {
    const torch::Tensor items = item_input_->forward(embedding_.narrow(0, layout.item_offset(), layout.items),
                                                     item_features_, item_trained_);
    x = torch::cat({embedding_.narrow(0, 0, layout.users), items,
                    embedding_.narrow(0, layout.category_offset(), layout.categories)});
  }
  const torch::Tensor h = typed_ ? encoder_->forward(graph_, x) : encoder_->forward(graph_.full, x);
  return {h.narrow(0, 0, layout.users), h.narrow(0, layout.item_offset(), layout.items)};
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
  const int64_t offset = graph_.layout.item_offset();
  return squared_norms(embedding_, embedding_, users, pos_items + offset, neg_items + offset) +
         encoder_->batch_l2_share(users.size(0));
}

void EncoderRecommender::pretty_print(std::ostream& stream) const {
  const NodeLayout& layout = graph_.layout;
  stream << "graft::gnn::EncoderRecommender(users=" << layout.users << ", items=" << layout.items
         << ", categories=" << layout.categories << ", edges=" << graph_.full.nnz();
  if (typed_) stream << ", relations=" << graph_.relations.size();
  stream << ")";
}

GraphOptions encoder_graph_options(const EncoderOptions& encoder) {
  GraphOptions options;
  options.self_loops = encoder.layer == "gcn" || encoder.layer == "gat";
  return options;
}

}  // namespace graft::gnn
